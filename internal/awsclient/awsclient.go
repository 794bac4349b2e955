// Package awsclient loads the AWS configuration the functions share: short
// retries and timeouts, since a visitor is waiting, and the emulator endpoint
// when AWS_ENDPOINT_URL is set.
package awsclient

import (
	"context"
	"fmt"
	"os"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/aws/retry"
	awshttp "github.com/aws/aws-sdk-go-v2/aws/transport/http"
	"github.com/aws/aws-sdk-go-v2/config"
)

// Retry settings: a throttled call is tried at most three times, backing off
// at most half a second, so one answer never waits long on AWS.
const (
	maxAttempts = 3
	maxBackoff  = 500 * time.Millisecond
	httpTimeout = 5 * time.Second
)

// Load returns the AWS configuration. extra options (tests count calls with them) come last.
func Load(ctx context.Context, extra ...func(*config.LoadOptions) error) (aws.Config, error) {
	opts := []func(*config.LoadOptions) error{
		config.WithRetryer(func() aws.Retryer {
			return retry.NewStandard(func(o *retry.StandardOptions) {
				o.MaxAttempts = maxAttempts
				o.MaxBackoff = maxBackoff
			})
		}),
		config.WithHTTPClient(awshttp.NewBuildableClient().WithTimeout(httpTimeout)),
	}
	cfg, err := config.LoadDefaultConfig(ctx, append(opts, extra...)...)
	if err != nil {
		return aws.Config{}, fmt.Errorf("load AWS configuration: %w", err)
	}
	if cfg.Region == "" {
		return aws.Config{}, fmt.Errorf("load AWS configuration: no region; set AWS_REGION")
	}
	return cfg, nil
}

// WithoutThrottleRetries returns cfg with a retryer that does not retry a
// throttled call: the account's bucket is empty, and another attempt only
// takes a token the owner's deploys need. Server and network errors are
// still retried as Load sets up.
func WithoutThrottleRetries(cfg aws.Config) aws.Config {
	cfg.Retryer = func() aws.Retryer {
		return retry.NewStandard(func(o *retry.StandardOptions) {
			o.MaxAttempts = maxAttempts
			o.MaxBackoff = maxBackoff
			o.Retryables = append([]retry.IsErrorRetryable{retry.IsErrorRetryableFunc(func(err error) aws.Ternary {
				if retry.IsErrorThrottles(retry.DefaultThrottles).IsErrorThrottle(err) == aws.TrueTernary {
					return aws.FalseTernary
				}
				return aws.UnknownTernary
			})}, o.Retryables...)
		})
	}
	return cfg
}

// Emulated reports whether the clients talk to an endpoint other than AWS's own.
func Emulated() bool {
	return os.Getenv("AWS_ENDPOINT_URL") != "" || os.Getenv("AWS_ENDPOINT_URL_CLOUDWATCH") != ""
}
