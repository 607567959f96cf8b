package secrets

import "github.com/ohmycoins/infra/internal/settings"

// Settings are the secret's settings, the config key ohmycoins:secrets of a
// stack: json tags name the keys, the presets give the values, Validate holds
// the rules.
type Settings struct {
	// RecoveryWindowDays is 0 (force delete, staging) or 7-30 (30 in production); defect B5.
	RecoveryWindowDays int `json:"recoveryWindowDays"`
	// ManageValues false writes the first secret version only and ignores later changes (hand-edited values).
	ManageValues bool `json:"manageValues"`
}

// Validate records every rule the settings break.
func (s Settings) Validate(p settings.Problems) {
	if w := s.RecoveryWindowDays; w != 0 && (w < 7 || w > 30) {
		p.Add("recoveryWindowDays", w, "must be 0 (delete at once) or 7-30 days, the values Secrets Manager accepts (defect B5)")
	}
}
