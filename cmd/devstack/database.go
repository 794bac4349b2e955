package main

import (
	"context"
	"log/slog"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/rds"

	"github.com/scale-to-zero/fargate-scale-to-zero/internal/testbed/demo"
	"github.com/scale-to-zero/fargate-scale-to-zero/internal/testbed/emulator"
	"github.com/scale-to-zero/fargate-scale-to-zero/internal/testbed/rdsmodel"
)

// startDatabase creates the demo's stand-in database, stopped as its sleeping
// service's is, and puts the RDS model in front of the emulator so that it
// goes through starting and stopping as an RDS database does; endpoint is
// where the functions reach AWS. Without a database (-db-start-delay 0) the
// endpoint is the emulator's own.
func startDatabase(ctx context.Context, emu string, o options, log *slog.Logger) (endpoint string, stop func(), err error) {
	if o.dbStart <= 0 {
		return emu, func() {}, nil
	}
	cfg := aws.Config{Region: emulator.Region, Credentials: credentials.NewStaticCredentialsProvider("test", "test", "")}
	c := rds.NewFromConfig(cfg, func(opt *rds.Options) { opt.BaseEndpoint = aws.String(emu) })
	if err := demo.NewStoppedDatabase(ctx, c, database); err != nil {
		return "", nil, err
	}
	p, err := rdsmodel.NewProxy(emu)
	if err != nil {
		return "", nil, err
	}
	p.Model.SetTimes(rdsmodel.Times{Start: o.dbStart, Stop: o.dbStart / 2})
	log.Info("demo database created, stopped", "database", database, "starts in", o.dbStart.String())
	return p.URL, func() { _ = p.Close() }, nil
}

// withEndpoint is the emulator's environment with the functions' endpoint.
func withEndpoint(env []string, endpoint string) []string {
	out := make([]string, len(env))
	for i, kv := range env {
		if strings.HasPrefix(kv, "AWS_ENDPOINT_URL=") {
			kv = "AWS_ENDPOINT_URL=" + endpoint
		}
		out[i] = kv
	}
	return out
}
