package launch

import (
	"errors"
	"net/http"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	awshttp "github.com/aws/aws-sdk-go-v2/aws/transport/http"
	"github.com/aws/smithy-go"
	smithyhttp "github.com/aws/smithy-go/transport/http"
)

func status(code int) error {
	return &awshttp.ResponseError{ResponseError: &smithyhttp.ResponseError{
		Response: &smithyhttp.Response{Response: &http.Response{StatusCode: code}}, Err: errors.New("answered"),
	}}
}

func TestAThrottledCallIsNotRetriedWhereAVisitorWaits(t *testing.T) {
	tests := []struct {
		name      string
		err       error
		retried   bool // by the configuration every function loads
		visitorOK bool // by Wake's, which a visitor waits on
	}{
		{"ECS throttling", &smithy.GenericAPIError{Code: "ThrottlingException"}, true, false},
		{"EC2 throttling", &smithy.GenericAPIError{Code: "RequestLimitExceeded"}, true, false},
		{"a server error", status(http.StatusServiceUnavailable), true, true},
		{"a refused call", &smithy.GenericAPIError{Code: "AccessDeniedException"}, false, false},
	}
	t.Setenv("AWS_REGION", "us-east-1")
	t.Setenv("AWS_EC2_METADATA_DISABLED", "true")
	t.Setenv("AWS_CONFIG_FILE", t.TempDir()+"/none")
	cfg, err := loadAWS(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			for _, c := range []struct {
				name string
				cfg  aws.Config
				want bool
			}{{"every function's", cfg, tc.retried}, {"Wake's", WithoutThrottleRetries(cfg), tc.visitorOK}} {
				if got := c.cfg.Retryer().IsErrorRetryable(tc.err); got != c.want {
					t.Errorf("%s retryer retries %v: %v, want %v", c.name, tc.err, got, c.want)
				}
			}
		})
	}
}
