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
	"github.com/scale-to-zero/fargate-scale-to-zero/internal/configstore"
	"github.com/scale-to-zero/fargate-scale-to-zero/internal/logging"
)

// Load reads the environment for the named function, and the services list
// from S3 when the environment names it there (SERVICES_S3).
func Load(ctx context.Context, function string) (config.Config, *slog.Logger, aws.Config, error) {
	// The configuration's own errors come first; the AWS configuration is
	// loaded early only for a list kept in S3.
	var awsCfg *aws.Config
	loadAWS := func() (aws.Config, error) {
		if awsCfg == nil {
			c, err := awsclient.Load(ctx)
			if err != nil {
				return aws.Config{}, err
			}
			awsCfg = &c
		}
		return *awsCfg, nil
	}
	cfg, err := config.Read(os.Getenv, func(loc config.ObjectLocation) ([]byte, error) {
		c, err := loadAWS()
		if err != nil {
			return nil, err
		}
		return configstore.Read(ctx, configstore.NewClient(c), loc)
	})
	if err != nil {
		return config.Config{}, nil, aws.Config{}, err
	}
	names := make([]string, len(cfg.Services))
	for i, s := range cfg.Services {
		names[i] = s.Name
	}
	log := logging.New(os.Stderr, function, os.Getenv("LOG_LEVEL"), names)
	c, err := loadAWS()
	if err != nil {
		return config.Config{}, nil, aws.Config{}, err
	}
	return cfg, log, c, nil
}
