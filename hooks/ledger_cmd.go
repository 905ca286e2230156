package hooks

import (
	"fmt"
	"io"

	"github.com/pocketbase/pocketbase/core"
	"github.com/spf13/cobra"

	"toolbase/hooks/ledger"
)

// ErrLedgerBroken is returned by `ledger verify` when an invariant fails, so that it exits 1.
var ErrLedgerBroken = fmt.Errorf("ledger verification failed")

func newLedgerCommand(app core.App) *cobra.Command {
	cmd := &cobra.Command{Use: "ledger", Short: "Inspect the points ledger"}
	cmd.AddCommand(&cobra.Command{
		Use:   "verify",
		Short: "Check that every balance, usage and counter agrees with the ledger (exit 1 if not)",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if err := app.RunAppMigrations(); err != nil {
				return err
			}
			return verifyTo(app, cmd.OutOrStdout())
		},
	})
	return cmd
}

func verifyTo(app core.App, out io.Writer) error {
	problems, err := ledger.Verify(app)
	if err != nil {
		return err
	}
	if len(problems) > 0 {
		fmt.Fprintf(out, "ledger verify: %d problem(s)\n", len(problems))
		for _, p := range problems {
			fmt.Fprintln(out, "  "+p)
		}
		return ErrLedgerBroken
	}
	users, rows, usage, err := ledger.Stats(app)
	if err != nil {
		return err
	}
	fmt.Fprintf(out, "ledger verify: OK (%d users, %d ledger rows, %d usages)\n", users, rows, usage)
	return nil
}
