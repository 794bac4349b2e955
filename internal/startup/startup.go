// Package startup does what every function does first: read the
// configuration (failing with the field and the reason), build the JSON
// logger, and load the AWS configuration.
package startup

import (
	"context"
	"log/slog"
	"os"

	"github.com/aws/aws-sdk-go-v2/aws"

	"github.com/scale-to-zero/fargate-scale-to-zero/internal/awsclient"
	"github.com/scale-to-zero/fargate-scale-to-zero/internal/config"
	"github.com/scale-to-zero/fargate-scale-to-zero/internal/logging"
)

// Load reads the environment for the named function.
func Load(ctx context.Context, function string) (config.Config, *slog.Logger, aws.Config, error) {
	cfg, err := config.FromEnv(os.Getenv)
	if err != nil {
		return config.Config{}, nil, aws.Config{}, err
	}
	names := make([]string, len(cfg.Services))
	for i, s := range cfg.Services {
		names[i] = s.Name
	}
	log := logging.New(os.Stderr, function, os.Getenv("LOG_LEVEL"), names)
	awsCfg, err := awsclient.Load(ctx)
	if err != nil {
		return config.Config{}, nil, aws.Config{}, err
	}
	return cfg, log, awsCfg, nil
}
