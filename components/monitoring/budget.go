package monitoring

import (
	"fmt"

	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/budgets"
	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/sns"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
)

// Budget is an environment's monthly AWS Budgets budget.
type Budget struct {
	// MonthlyUSD is the limit; 0 creates no budget.
	MonthlyUSD int
	// MarginPercent is how far the limit lies above the cost estimate, kept on
	// the budget as a tag so the policy check can hold the limit to the estimate.
	MarginPercent int
	// EnvironmentTag is the Environment tag value whose costs the budget counts
	// (the tag is a cost allocation tag, activated by bootstrap/).
	EnvironmentTag string
}

// Thresholds of the budget's notifications, in percent of the limit.
const (
	ForecastAlertPercent = 80
	ActualAlertPercent   = 100
)

// budget creates the environment's budget, alerting the topic at 80 % of the
// forecast and 100 % of the actual month (TopicPolicy lets AWS Budgets
// publish to the topic, its key policy lets it encrypt: encryption.KeyPolicy).
func budget(ctx *pulumi.Context, name string, b Budget, topic *sns.Topic, parent pulumi.ResourceOption) error {
	if b.MonthlyUSD <= 0 {
		return nil
	}
	notify := func(kind string, percent int) budgets.BudgetNotificationArgs {
		return budgets.BudgetNotificationArgs{
			NotificationType:       pulumi.String(kind),
			ComparisonOperator:     pulumi.String("GREATER_THAN"),
			Threshold:              pulumi.Float64(float64(percent)),
			ThresholdType:          pulumi.String("PERCENTAGE"),
			SubscriberSnsTopicArns: pulumi.StringArray{topic.Arn},
		}
	}
	_, err := budgets.NewBudget(ctx, name+"-monthly-budget", &budgets.BudgetArgs{
		Name:        pulumi.String(name + "-monthly"),
		BudgetType:  pulumi.String("COST"),
		LimitAmount: pulumi.String(fmt.Sprint(b.MonthlyUSD)),
		LimitUnit:   pulumi.String("USD"),
		TimeUnit:    pulumi.String("MONTHLY"),
		CostFilters: budgets.BudgetCostFilterArray{budgets.BudgetCostFilterArgs{
			Name:   pulumi.String("TagKeyValue"),
			Values: pulumi.StringArray{pulumi.String("user:Environment$" + b.EnvironmentTag)},
		}},
		Notifications: budgets.BudgetNotificationArray{
			notify("FORECASTED", ForecastAlertPercent),
			notify("ACTUAL", ActualAlertPercent),
		},
		Tags: pulumi.StringMap{"EstimateMarginPercent": pulumi.String(fmt.Sprint(b.MarginPercent))},
	}, parent)
	return err
}
