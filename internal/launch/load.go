package launch

import (
	"context"
	"io"
	"log/slog"

	"github.com/aws/aws-sdk-go-v2/aws"

	"github.com/scale-to-zero/fargate-scale-to-zero/internal/config"
	"github.com/scale-to-zero/fargate-scale-to-zero/internal/configstore"
	"github.com/scale-to-zero/fargate-scale-to-zero/internal/logging"
	"github.com/scale-to-zero/fargate-scale-to-zero/internal/metrics"
)

// load reads the configuration through getenv (and the services list from S3
// when it is kept there), then builds the logger, writing to logTo, and the
// AWS configuration.
func load(ctx context.Context, function string, getenv func(string) string, logTo io.Writer) (Env, error) {
	// The configuration's own errors come first; the AWS configuration is
	// loaded early only for a list kept in S3.
	var awsCfg *aws.Config
	loadOnce := func() (aws.Config, error) {
		if awsCfg == nil {
			c, err := loadAWS(ctx)
			if err != nil {
				return aws.Config{}, err
			}
			awsCfg = &c
		}
		return *awsCfg, nil
	}
	cfg, err := config.Read(getenv, func(loc config.ObjectLocation) ([]byte, error) {
		c, err := loadOnce()
		if err != nil {
			return nil, err
		}
		return configstore.Read(ctx, configstore.NewClient(c), loc)
	})
	if err != nil {
		return Env{}, err
	}
	log := logging.New(logTo, function, cfg.LogLevel, cfg.Services.Names())
	c, err := loadOnce()
	if err != nil {
		return Env{}, err
	}
	// Metric lines are written whatever LOG_LEVEL says: they are metrics, not chatter.
	m := metrics.New(logging.New(logTo, function, slog.LevelInfo, cfg.Services.Names()), cfg.MetricsNamespace, function)
	m.CountThrottles(&c)
	return Env{Config: cfg, Log: log, AWS: c, Metrics: m}, nil
}
