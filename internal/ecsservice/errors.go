package ecsservice

import (
	"errors"
	"fmt"
	"net/http"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	ecstypes "github.com/aws/aws-sdk-go-v2/service/ecs/types"
	"github.com/aws/smithy-go"
	smithyhttp "github.com/aws/smithy-go/transport/http"

	"github.com/scale-to-zero/fargate-scale-to-zero/internal/awserror"
)

// ErrServiceNotFound means ECS does not know the service (or its cluster) at all.
var ErrServiceNotFound = errors.New("service not found")

// notFoundCodes are the ECS error codes saying the cluster or the service is
// not there, or no longer active: every call of this package maps them, and
// only them, to ErrServiceNotFound.
// https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_DescribeServices.html#API_DescribeServices_Errors
// https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_ListTasks.html#API_ListTasks_Errors
// https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_UpdateService.html#API_UpdateService_Errors
var notFoundCodes = []string{"ClusterNotFoundException", "ServiceNotFoundException", "ServiceNotActiveException"}

// codeInvalidParameter is ECS's answer to a request it will not take, such as
// a tag on a short-ARN service or a tag value outside its pattern.
// https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_TagResource.html#API_TagResource_Errors
const codeInvalidParameter = "InvalidParameterException"

// failureMissing is the reason an ECS answer gives for a resource it did not
// find (API failure reasons).
// https://docs.aws.amazon.com/AmazonECS/latest/developerguide/api_failures_messages.html
const failureMissing = "MISSING"

// wrapECS names the call that failed and keeps its cause; a code saying the
// service or its cluster is not there adds ErrServiceNotFound, so errors.Is
// finds that and errors.As still finds smithy's APIError.
func wrapECS(call string, err error) error {
	if awserror.HasCode(err, notFoundCodes...) {
		return fmt.Errorf("%s: %w: %w", call, ErrServiceNotFound, err)
	}
	return fmt.Errorf("%s: %w", call, err)
}

// FailureError is what an ECS answer lists in its failures: the resources the
// call could not return, each with its ARN, a reason and a detail.
// https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_Failure.html
type FailureError struct {
	Failures []ecstypes.Failure
}

func (e *FailureError) Error() string {
	parts := make([]string, len(e.Failures))
	for i, f := range e.Failures {
		parts[i] = aws.ToString(f.Arn) + ": " + aws.ToString(f.Reason)
		if d := aws.ToString(f.Detail); d != "" {
			parts[i] += " (" + d + ")"
		}
	}
	return "ECS failures: " + strings.Join(parts, "; ")
}

// IsTransient reports whether an AWS error may go away by itself: throttling,
// a 5xx, a timeout or a network error. Anything else is taken as lasting.
// The codes are ECS's and EC2's throttling and server errors:
// https://docs.aws.amazon.com/AmazonECS/latest/APIReference/CommonErrors.html
// https://docs.aws.amazon.com/AWSEC2/latest/APIReference/errors-overview.html
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
	var failure *FailureError
	if errors.As(err, &failure) {
		// ECS answered, and said why: asking again gets the same answer.
		return false
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
