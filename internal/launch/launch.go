// Package launch is what both functions do at start: read the configuration
// (failing with the setting's name and the reason), build the JSON logger and
// the AWS configuration, then run the function's handler the way its
// environment wants — under the Lambda runtime when AWS_LAMBDA_RUNTIME_API is
// set, else the one direct invocation given as `NAME invoke '{…}'`, else as a
// local program (Wake serves HTTP, Auto-Sleep evaluates once or repeatedly).
package launch

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/signal"
	"syscall"

	"github.com/aws/aws-lambda-go/lambda"
	"github.com/aws/aws-sdk-go-v2/aws"

	"github.com/scale-to-zero/fargate-scale-to-zero/internal/config"
	"github.com/scale-to-zero/fargate-scale-to-zero/internal/invoke"
	"github.com/scale-to-zero/fargate-scale-to-zero/internal/metrics"
)

// Function is one of the project's Lambda functions, as its main describes it.
type Function struct {
	// Name names the function in its logs and messages: "wake", "autosleep".
	Name string
	// Usage is its command line and what it does, shown for -h and for
	// arguments it does not take.
	Usage string
	// Build makes the function's clients and handlers from what it starts with.
	Build func(ctx context.Context, env Env) (Handlers, error)
	// Commands are its own commands outside Lambda, by name, each with the
	// check of its arguments (an error is a usage error); Handlers.Command runs them.
	Commands map[string]func(args []string) error
}

// Env is what every function starts from.
type Env struct {
	Config config.Config
	Log    *slog.Logger
	// AWS is the AWS configuration: short retries and timeouts (see loadAWS).
	AWS aws.Config
	// Metrics writes the function's CloudWatch metrics; nil when they are off.
	Metrics *metrics.Emitter
}

// Handlers are what a function runs.
type Handlers struct {
	// Event handles one Lambda event: under the runtime, or the one given as
	// `NAME invoke '{…}'`.
	Event func(ctx context.Context, raw json.RawMessage) (any, error)
	// Local runs the function outside Lambda, writing what it reports to out,
	// until ctx ends (SIGINT or SIGTERM).
	Local func(ctx context.Context, out io.Writer) error
	// Command runs one of Function.Commands, writing what it reports to out.
	Command func(ctx context.Context, c Command, out io.Writer) error
}

// Main runs f and exits: 0 when it ends well, 1 with the error on standard
// error (and, for `NAME invoke '{…}'`, as a JSON error object on standard
// output), 2 for arguments it does not take.
func Main(f Function) {
	os.Exit(run(context.Background(), f, os.Args[1:], os.Getenv, os.Stdout, os.Stderr))
}

func run(ctx context.Context, f Function, args []string, getenv func(string) string, stdout, stderr io.Writer) int {
	command, err := parseCommand(f, args)
	var event *string
	if command == nil && err == nil {
		event, err = parseArgs(args)
	}
	if errors.Is(err, errHelp) {
		fmt.Fprintln(stdout, "usage: "+f.Usage)
		return 0
	}
	if err != nil {
		fmt.Fprintf(stderr, "%s: %v\nusage: %s\n", f.Name, err, f.Usage)
		return 2
	}
	if err := start(ctx, f, event, command, getenv, stdout, stderr); err != nil {
		fmt.Fprintf(stderr, "%s: %v\n", f.Name, err)
		if event != nil {
			// A script reads the answer on standard output, as it reads a success.
			_ = PrintJSON(stdout, invoke.AsError(err))
		}
		return 1
	}
	return 0
}

func start(ctx context.Context, f Function, event *string, command *Command, getenv func(string) string, stdout, stderr io.Writer) error {
	h, env, err := setUp(ctx, f, getenv, stderr)
	if err != nil {
		if api := getenv(runtimeAPI); api != "" {
			reportInitError(ctx, api, err, stderr)
		}
		return err
	}
	if env.Config.InLambda {
		// The runtime calls the handler for each event, and never returns.
		lambda.StartHandlerFunc(lambdaHandler(h.Event))
		return nil
	}
	ctx, stop := signal.NotifyContext(ctx, os.Interrupt, syscall.SIGTERM)
	defer stop()
	if event != nil {
		return invokeOnce(ctx, h.Event, *event, stdout)
	}
	if command != nil {
		return runCommand(ctx, h, command, stdout)
	}
	return h.Local(ctx, stdout)
}

// setUp reads the configuration and builds the function; its errors are
// InvalidConfiguration.
func setUp(ctx context.Context, f Function, getenv func(string) string, stderr io.Writer) (Handlers, Env, error) {
	env, err := load(ctx, f.Name, getenv, stderr)
	if err != nil {
		return Handlers{}, Env{}, invalidConfiguration(err)
	}
	h, err := f.Build(ctx, env)
	if err != nil {
		return Handlers{}, Env{}, invalidConfiguration(err)
	}
	return h, env, nil
}

var errHelp = errors.New("help asked for")

// parseArgs reads the command line: nothing, `invoke '{…}'` (the event
// returned), or a request for help.
func parseArgs(args []string) (*string, error) {
	switch {
	case len(args) == 0:
		return nil, nil
	case len(args) == 1 && (args[0] == "-h" || args[0] == "-help" || args[0] == "--help" || args[0] == "help"):
		return nil, errHelp
	case len(args) == 2 && args[0] == "invoke":
		return &args[1], nil
	case args[0] == "invoke":
		return nil, errors.New(`invoke takes one event in JSON, such as '{"action":"status"}'`)
	}
	return nil, fmt.Errorf("unexpected arguments %q", args)
}

// invokeOnce runs one direct invocation and prints its answer.
func invokeOnce(ctx context.Context, handler func(context.Context, json.RawMessage) (any, error), event string, out io.Writer) error {
	answer, err := handler(ctx, json.RawMessage(event))
	if err != nil {
		return err
	}
	return PrintJSON(out, answer)
}
