package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/ecs"

	"github.com/scale-to-zero/fargate-scale-to-zero/internal/config"
	"github.com/scale-to-zero/fargate-scale-to-zero/internal/ecsservice"
	"github.com/scale-to-zero/fargate-scale-to-zero/internal/ecsservice/taskdef"
	"github.com/scale-to-zero/fargate-scale-to-zero/internal/launch"
	"github.com/scale-to-zero/fargate-scale-to-zero/internal/pricing"
	"github.com/scale-to-zero/fargate-scale-to-zero/internal/savings"
	"github.com/scale-to-zero/fargate-scale-to-zero/internal/sleepops"
)

// newSavings makes the savings report over the function's clients, priced
// for its Region with the table and the operator's PRICES (its databases are
// read with the RDS client, set when a service depends on one).
func newSavings(ecsClient *ecs.Client, services *ecsservice.Client, env launch.Env) *sleepops.Savings {
	return &sleepops.Savings{
		Services: services,
		Sizes:    taskdef.New(ecsClient),
		Prices:   pricing.Default().With(env.Config.Prices),
		Region:   env.AWS.Region,
		Now:      time.Now,
		// A database's hours count all its services, even in a one-service report.
		Configured: env.Config.Services,
	}
}

// reportArgs are `autosleep report`'s arguments.
type reportArgs struct {
	service string
	json    bool
	html    string
}

func parseReportArgs(args []string) (reportArgs, error) {
	var a reportArgs
	fs := flag.NewFlagSet("report", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	fs.StringVar(&a.service, "service", "", "one service, by name or cluster/name")
	fs.BoolVar(&a.json, "json", false, "the JSON a direct invocation answers")
	fs.StringVar(&a.html, "html", "", "write one self-contained HTML page to this file")
	if err := fs.Parse(args); err != nil {
		return a, err
	}
	switch {
	case fs.NArg() > 0:
		return a, fmt.Errorf("unexpected arguments %q", fs.Args())
	case a.json && a.html != "":
		return a, errors.New("--json and --html: choose one")
	}
	return a, nil
}

// checkReportArgs checks them before anything starts.
func checkReportArgs(args []string) error {
	_, err := parseReportArgs(args)
	return err
}

// runReport prints the report as a table, or as JSON, or writes the page.
func runReport(ctx context.Context, s sleepops.Reporter, configured config.Services, args []string, out io.Writer) error {
	a, err := parseReportArgs(args)
	if err != nil {
		return err
	}
	services := []config.Service(configured)
	if a.service != "" {
		svc, err := configured.ByName(a.service)
		if err != nil {
			return err
		}
		services = []config.Service{svc}
	}
	r := s.Report(ctx, services)
	switch {
	case a.json:
		return launch.PrintJSON(out, r)
	case a.html != "":
		return writePage(a.html, r, out)
	}
	return savings.WriteText(out, r)
}

func writePage(path string, r savings.Report, out io.Writer) error {
	f, err := os.Create(path)
	if err != nil {
		return fmt.Errorf("report: %w", err)
	}
	if err := savings.WriteHTML(f, r); err != nil {
		f.Close()
		return fmt.Errorf("report: write %s: %w", path, err)
	}
	if err := f.Close(); err != nil {
		return fmt.Errorf("report: write %s: %w", path, err)
	}
	_, err = fmt.Fprintf(out, "savings report written to %s\n", path)
	return err
}
