package metrics

import (
	"context"
	"log/slog"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	awsmiddleware "github.com/aws/aws-sdk-go-v2/aws/middleware"
	"github.com/aws/aws-sdk-go-v2/aws/retry"
	"github.com/aws/smithy-go/middleware"
)

// throttlesEvery: throttles come in bursts; one line per interval says how many.
const throttlesEvery = 10 * time.Second

// CountThrottles makes every client built from cfg count the answers AWS
// gives with throttling (ThrottledCalls, by function, with the operation as
// a property). Each attempt counts: a retried call that was throttled twice
// took two tokens the account's bucket did not have. What counts as throttled
// is the SDK's own list of throttling error codes, which the functions'
// retryers use too.
// https://docs.aws.amazon.com/sdkref/latest/guide/feature-retry-behavior.html
func (e *Emitter) CountThrottles(cfg *aws.Config) {
	if e == nil {
		return
	}
	tally := e.Tally(ThrottledCalls, throttlesEvery, FunctionSet)
	throttled := retry.IsErrorThrottles(retry.DefaultThrottles)
	count := middleware.FinalizeMiddlewareFunc("CountThrottles", func(ctx context.Context, in middleware.FinalizeInput, next middleware.FinalizeHandler) (middleware.FinalizeOutput, middleware.Metadata, error) {
		out, md, err := next.HandleFinalize(ctx, in)
		if err != nil && throttled.IsErrorThrottle(err) == aws.TrueTernary {
			op := awsmiddleware.GetServiceID(ctx) + "." + awsmiddleware.GetOperationName(ctx)
			tally.Add(ctx, 1, e.Function(), slog.String(PropOperation, op))
		}
		return out, md, err
	})
	cfg.APIOptions = append(cfg.APIOptions, func(s *middleware.Stack) error {
		// Last in the finalize step, after the retry middleware: it sees each attempt.
		return s.Finalize.Add(count, middleware.After)
	})
}
