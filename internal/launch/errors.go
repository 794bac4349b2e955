package launch

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"time"

	"github.com/aws/aws-lambda-go/lambda/messages"

	"github.com/scale-to-zero/fargate-scale-to-zero/internal/config"
	"github.com/scale-to-zero/fargate-scale-to-zero/internal/invoke"
)

// runtimeAPI names the Lambda Runtime API's host:port; Lambda sets it.
// https://docs.aws.amazon.com/lambda/latest/dg/runtimes-api.html
const runtimeAPI = "AWS_LAMBDA_RUNTIME_API"

// lambdaHandler answers errors as Lambda reports them to the caller,
// {"errorMessage", "errorType"}, with the error's kind as its type:
// aws-lambda-go takes the type from the Go type's name otherwise
// ("wrapError"), and passes an InvokeResponse_Error through as it is.
func lambdaHandler(event func(context.Context, json.RawMessage) (any, error)) func(context.Context, json.RawMessage) (any, error) {
	return func(ctx context.Context, raw json.RawMessage) (any, error) {
		out, err := event(ctx, raw)
		if err != nil {
			return nil, lambdaError(err)
		}
		return out, nil
	}
}

func lambdaError(err error) messages.InvokeResponse_Error {
	return messages.InvokeResponse_Error{Message: err.Error(), Type: string(invoke.AsError(err).Kind)}
}

// invalidConfiguration is a start-up error as operators get it, naming the
// setting at fault when it is one.
func invalidConfiguration(err error) error {
	e := &invoke.Error{Kind: invoke.InvalidConfiguration, Err: err}
	var field *config.FieldError
	switch {
	case errors.As(err, &field):
		e.Field = field.Field
	case errors.Is(err, errNoRegion):
		e.Field = "AWS_REGION"
	}
	return e
}

// initErrorTimeout bounds the report of a failed start: the Runtime API is
// on the same host, and the process exits right after.
const initErrorTimeout = 2 * time.Second

// reportInitError tells the Lambda Runtime API why the function could not
// start, so the invocation that started it answers {"errorMessage",
// "errorType": "InvalidConfiguration"} rather than only that the runtime
// exited. A report that fails is only noted: the process exits either way.
// https://docs.aws.amazon.com/lambda/latest/dg/runtimes-api.html#runtimes-api-initerror
func reportInitError(ctx context.Context, api string, err error, stderr io.Writer) {
	body, _ := json.Marshal(lambdaError(err))
	ctx, cancel := context.WithTimeout(ctx, initErrorTimeout)
	defer cancel()
	req, rerr := http.NewRequestWithContext(ctx, http.MethodPost, "http://"+api+"/2018-06-01/runtime/init/error", bytes.NewReader(body))
	if rerr != nil {
		fmt.Fprintf(stderr, "report the start-up error to the Lambda Runtime API: %v\n", rerr)
		return
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Lambda-Runtime-Function-Error-Type", string(invoke.AsError(err).Kind))
	resp, rerr := http.DefaultClient.Do(req)
	if rerr != nil {
		fmt.Fprintf(stderr, "report the start-up error to the Lambda Runtime API: %v\n", rerr)
		return
	}
	_ = resp.Body.Close()
}
