package ecsservice

import (
	"errors"
	"net/http"

	"github.com/aws/smithy-go"
	smithyhttp "github.com/aws/smithy-go/transport/http"
)

// ErrServiceNotFound means ECS does not know the service (or its cluster) at all.
var ErrServiceNotFound = errors.New("service not found")

// IsTransient reports whether an AWS error may go away by itself: throttling,
// a 5xx, a timeout or a network error. Anything else is taken as lasting.
func IsTransient(err error) bool {
	if err == nil || errors.Is(err, ErrServiceNotFound) {
		return false
	}
	var respErr *smithyhttp.ResponseError
	if errors.As(err, &respErr) {
		if code := respErr.HTTPStatusCode(); code >= http.StatusInternalServerError || code == http.StatusTooManyRequests {
			return true
		}
	}
	var apiErr smithy.APIError
	if !errors.As(err, &apiErr) {
		// No API code at all: the network, a deadline or a cancelled request.
		return true
	}
	switch apiErr.ErrorCode() {
	case "ThrottlingException", "Throttling", "TooManyRequestsException", "RequestLimitExceeded",
		"ServerException", "ServiceUnavailable", "ServiceUnavailableException", "InternalError", "InternalFailure":
		return true
	}
	return apiErr.ErrorFault() == smithy.FaultServer
}

// isCode reports whether err is an AWS API error with one of the codes.
func isCode(err error, codes ...string) bool {
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
