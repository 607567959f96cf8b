package preview_test

// The resource types the tests look up.
const (
	typeDBInstance = "aws:rds/instance:Instance"
)
