// Package serve starts a function the way its environment wants: under the
// Lambda runtime when AWS_LAMBDA_RUNTIME_API is set, else as a local program.
package serve

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/aws/aws-lambda-go/lambda"
)

// InLambda reports whether the process runs under the Lambda runtime.
func InLambda() bool { return os.Getenv("AWS_LAMBDA_RUNTIME_API") != "" }

// Lambda hands the handler to the Lambda runtime; it does not return.
func Lambda(handler func(context.Context, json.RawMessage) (any, error)) {
	lambda.Start(handler)
}

// HTTP serves h on addr until SIGINT or SIGTERM, then drains for up to 5 s.
func HTTP(addr string, h http.Handler, log *slog.Logger) error {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	l, err := net.Listen("tcp", addr)
	if err != nil {
		return fmt.Errorf("listen on %s: %w", addr, err)
	}
	srv := &http.Server{Handler: h, ReadHeaderTimeout: 10 * time.Second}
	log.Info("serving HTTP", "addr", "http://"+l.Addr().String())
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(l) }()
	select {
	case err := <-errc:
		return fmt.Errorf("serve: %w", err)
	case <-ctx.Done():
	}
	shutdown, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := srv.Shutdown(shutdown); err != nil && !errors.Is(err, http.ErrServerClosed) {
		return fmt.Errorf("shut down: %w", err)
	}
	return nil
}

// Invoke runs one direct invocation locally and prints its JSON answer.
func Invoke(ctx context.Context, handler func(context.Context, json.RawMessage) (any, error), event string) error {
	out, err := handler(ctx, json.RawMessage(event))
	if err != nil {
		return err
	}
	return Print(out)
}

// Print writes v as indented JSON on standard output.
func Print(v any) error {
	enc := json.NewEncoder(os.Stdout)
	enc.SetIndent("", "  ")
	return enc.Encode(v)
}

// Every runs f once, or, with a positive interval, again every interval until SIGINT or SIGTERM.
func Every(ctx context.Context, interval time.Duration, f func(context.Context) error) error {
	if err := f(ctx); err != nil || interval <= 0 {
		return err
	}
	ctx, stop := signal.NotifyContext(ctx, os.Interrupt, syscall.SIGTERM)
	defer stop()
	t := time.NewTicker(interval)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return nil
		case <-t.C:
			if err := f(ctx); err != nil {
				return err
			}
		}
	}
}
