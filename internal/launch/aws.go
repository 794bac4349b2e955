package launch

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/aws/retry"
	awshttp "github.com/aws/aws-sdk-go-v2/aws/transport/http"
	"github.com/aws/aws-sdk-go-v2/config"
)

// Retry settings: a failed call is tried at most three times, backing off at
// most half a second, so one answer never waits long on AWS (the SDK's
// standard mode tries three times, backing off up to 20 s).
// https://docs.aws.amazon.com/sdkref/latest/guide/feature-retry-behavior.html
const (
	maxAttempts = 3
	maxBackoff  = 500 * time.Millisecond
	httpTimeout = 5 * time.Second
)

// errNoRegion: the SDK found no region in the environment or shared files.
var errNoRegion = errors.New("load AWS configuration: no region; set AWS_REGION")

// loadAWS returns the AWS configuration. The SDK reads its own settings
// (credentials, region, AWS_ENDPOINT_URL for an emulator) from the environment.
func loadAWS(ctx context.Context) (aws.Config, error) {
	cfg, err := config.LoadDefaultConfig(ctx,
		config.WithRetryer(func() aws.Retryer {
			return retry.NewStandard(func(o *retry.StandardOptions) {
				o.MaxAttempts = maxAttempts
				o.MaxBackoff = maxBackoff
			})
		}),
		config.WithHTTPClient(awshttp.NewBuildableClient().WithTimeout(httpTimeout)),
	)
	if err != nil {
		return aws.Config{}, fmt.Errorf("load AWS configuration: %w", err)
	}
	if cfg.Region == "" {
		return aws.Config{}, errNoRegion
	}
	return cfg, nil
}

// WithoutThrottleRetries returns cfg with a retryer that does not retry a
// throttled call: the account's bucket is empty, and another attempt only
// takes a token the owner's deploys need. Server and network errors are
// still retried as loadAWS sets up. What counts as throttled is the SDK's
// own list of throttling error codes (ECS answers ThrottlingException, EC2
// RequestLimitExceeded), and HTTP 429.
// https://docs.aws.amazon.com/AmazonECS/latest/APIReference/CommonErrors.html
// https://docs.aws.amazon.com/AWSEC2/latest/APIReference/errors-overview.html
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
