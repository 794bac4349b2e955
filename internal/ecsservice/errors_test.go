package ecsservice

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"testing"

	"github.com/aws/smithy-go"
	smithyhttp "github.com/aws/smithy-go/transport/http"
)

func TestIsTransient(t *testing.T) {
	respErr := func(code int) error {
		return &smithyhttp.ResponseError{Response: &smithyhttp.Response{Response: &http.Response{StatusCode: code}}, Err: errors.New("x")}
	}
	tests := []struct {
		name string
		err  error
		want bool
	}{
		{"throttling", &smithy.GenericAPIError{Code: "ThrottlingException"}, true},
		{"server fault", &smithy.GenericAPIError{Code: "Whatever", Fault: smithy.FaultServer}, true},
		{"HTTP 503", respErr(503), true},
		{"network", errors.New("dial tcp: connection refused"), true},
		{"access denied", &smithy.GenericAPIError{Code: "AccessDeniedException", Fault: smithy.FaultClient}, false},
		{"invalid parameter", &smithy.GenericAPIError{Code: "InvalidParameterException", Fault: smithy.FaultClient}, false},
		{"missing service", fmt.Errorf("x: %w", ErrServiceNotFound), false},
		{"an ECS failure", fmt.Errorf("x: %w", &FailureError{}), false},
		{"nil", nil, false},
	}
	for _, tc := range tests {
		if got := IsTransient(tc.err); got != tc.want {
			t.Errorf("%s: %v, want %v", tc.name, got, tc.want)
		}
	}
}

// TestEveryCallMapsTheSameCodesToErrServiceNotFound: describing, listing and
// scaling a service read ECS's not-found codes alike, and keep the code.
func TestEveryCallMapsTheSameCodesToErrServiceNotFound(t *testing.T) {
	calls := []struct {
		name string
		call func(err error) error
	}{
		{"describe", func(err error) error {
			_, got := New(&fakeECS{describeErr: err}, nil).Observe(context.Background(), "c", "web", Need{})
			return got
		}},
		{"list", func(err error) error {
			_, got := New(&fakeECS{service: svc(1), listErr: err}, nil).Observe(context.Background(), "c", "web", Need{Tasks: true})
			return got
		}},
		{"update", func(err error) error {
			return New(&fakeECS{updateErr: err}, nil).SetDesired(context.Background(), "c", "web", 1)
		}},
	}
	codes := []struct {
		code     string
		notFound bool
	}{
		{"ClusterNotFoundException", true},
		{"ServiceNotFoundException", true},
		{"ServiceNotActiveException", true},
		{"AccessDeniedException", false},
	}
	for _, c := range calls {
		for _, tc := range codes {
			t.Run(c.name+" "+tc.code, func(t *testing.T) {
				err := c.call(&smithy.GenericAPIError{Code: tc.code})
				if errors.Is(err, ErrServiceNotFound) != tc.notFound {
					t.Fatalf("error %v: ErrServiceNotFound %v, want %v", err, !tc.notFound, tc.notFound)
				}
				var apiErr smithy.APIError
				if !errors.As(err, &apiErr) || apiErr.ErrorCode() != tc.code {
					t.Fatalf("error %v lost ECS's code %s", err, tc.code)
				}
			})
		}
	}
}
