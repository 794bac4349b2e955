// Package awserror reads the AWS API errors the SDK's clients return: the one
// question every package that calls AWS asks of an error.
package awserror

import (
	"errors"

	"github.com/aws/smithy-go"
)

// HasCode reports whether err is, or wraps, an AWS API error whose code is
// one of codes (the service's own error code, such as ECS's
// ServiceNotFoundException or RDS's InvalidDBInstanceState).
func HasCode(err error, codes ...string) bool {
	var apiErr smithy.APIError
	if !errors.As(err, &apiErr) {
		return false
	}
	for _, c := range codes {
		if apiErr.ErrorCode() == c {
			return true
		}
	}
	return false
}
