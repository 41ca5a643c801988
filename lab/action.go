package lab

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"sort"
)

// Action is a one-off task a server offers beside its settings, such as
// clearing what it keeps from one run to the next.
type Action struct {
	Label   string // the button's text
	Help    string // what it does, in plain words
	Confirm string // non-empty: the question asked before it runs (it loses data)
	// Restart, if true, stops the row's servers (the protocol's with its
	// parts) that run before Run, and starts them again after it.
	Restart bool
	// Run does the task on bench b and returns a line saying what it did.
	Run func(ctx context.Context, b *Bench) (string, error)
}

// RunAction runs a of the server of protocol name. With a.Restart, the
// servers of name's row that ran are stopped first and started again after,
// even when Run fails; a failed start is reported with Run's error.
func (b *Bench) RunAction(ctx context.Context, name string, a Action) (string, error) {
	if a.Run == nil {
		return "", fmt.Errorf("lab: %s's action %q does nothing", name, a.Label)
	}
	var ran []string
	if a.Restart {
		row := b.reg.WithParts(name)
		for _, n := range b.Running() {
			if slices.Contains(row, n) {
				ran = append(ran, n)
			}
		}
		b.StopNames(ran...)
	}
	done, err := a.Run(ctx, b)
	if len(ran) > 0 {
		errs := b.StartAll(ran...)
		names := make([]string, 0, len(errs))
		for n := range errs {
			names = append(names, n)
		}
		sort.Strings(names)
		for _, n := range names {
			err = errors.Join(err, fmt.Errorf("starting %s again: %w", n, errs[n]))
		}
	}
	return done, err
}
