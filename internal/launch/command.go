package launch

import (
	"context"
	"fmt"
	"io"
)

// Command is one of a function's own commands outside Lambda, as the command
// line gives it: `autosleep report --json`.
type Command struct {
	Name string
	Args []string
}

// parseCommand reads a command line that names one of f's commands, checking
// its arguments before anything starts; nil when it names none.
func parseCommand(f Function, args []string) (*Command, error) {
	if len(args) == 0 {
		return nil, nil
	}
	check, ok := f.Commands[args[0]]
	if !ok {
		return nil, nil
	}
	if err := check(args[1:]); err != nil {
		return nil, fmt.Errorf("%s: %w", args[0], err)
	}
	return &Command{Name: args[0], Args: args[1:]}, nil
}

// runCommand runs a command with the handlers built for it.
func runCommand(ctx context.Context, h Handlers, c *Command, out io.Writer) error {
	if h.Command == nil {
		return fmt.Errorf("%s: not available", c.Name)
	}
	return h.Command(ctx, *c, out)
}
