package alb

import (
	"fmt"

	"github.com/ohmycoins/infra/internal/settings"
)

// Settings are the load balancer's settings, the config key
// ohmycoins:loadBalancer of a stack: json tags name the keys, the presets give
// the values, Validate holds the rules.
type Settings struct {
	// DeletionProtection refuses a delete of the ALB; production only.
	DeletionProtection bool `json:"deletionProtection"`
	// AccessLogs writes access logs to the bucket ${p}-alb-logs; production only.
	AccessLogs bool `json:"accessLogs"`
	// AccessLogExpirationDays is how long access logs are kept; 90 days.
	AccessLogExpirationDays int `json:"accessLogExpirationDays"`
	// IdleTimeoutSeconds is the connection idle timeout; 60.
	IdleTimeoutSeconds int `json:"idleTimeoutSeconds"`
}

// MaxIdleTimeoutSeconds is the longest idle timeout an ALB accepts.
const MaxIdleTimeoutSeconds = 4000

// Validate records every rule the settings break.
func (s Settings) Validate(p settings.Problems) {
	if s.IdleTimeoutSeconds < 1 || s.IdleTimeoutSeconds > MaxIdleTimeoutSeconds {
		p.Add("idleTimeoutSeconds", s.IdleTimeoutSeconds, fmt.Sprintf("must be 1-%d seconds", MaxIdleTimeoutSeconds))
	}
	if s.AccessLogExpirationDays < 1 {
		p.Add("accessLogExpirationDays", s.AccessLogExpirationDays, "must be at least 1 day")
	}
}
