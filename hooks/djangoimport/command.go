package djangoimport

import (
	"cmp"
	"errors"
	"fmt"
	"io"
	"os"
	osuser "os/user"

	"github.com/pocketbase/pocketbase/core"
	"github.com/spf13/cobra"
)

// ErrRowsSkipped is the command's error when some rows were (or, with
// --dry-run, would be) left out, so that it exits 1.
var ErrRowsSkipped = errors.New("some rows were not imported: see the errors above")

// NewCommand returns `toolbase import django FILE [--dry-run]`.
func NewCommand(app core.App) *cobra.Command {
	cmd := &cobra.Command{Use: "import", Short: "Import data from another platform"}
	var dryRun bool
	django := &cobra.Command{
		Use:   "django FILE",
		Short: "Import the Django platform's `manage.py dumpdata users tools` (users keep their passwords, clients their API keys)",
		Long: "Imports users (with their Django password hashes, converted at their first login), balances (as OPENING " +
			"ledger rows), tools, usage, reviews and API keys from the JSON of `python manage.py dumpdata users tools`. " +
			"A second run imports nothing twice and resumes an interrupted one. --dry-run reports everything and writes nothing. " +
			"Exit 1 when the file is refused or a row is left out.",
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if err := app.RunAppMigrations(); err != nil {
				return err
			}
			var progress io.Writer
			if isTerminal(os.Stderr) {
				progress = cmd.ErrOrStderr()
			}
			rep, err := Run(app, args[0], Options{DryRun: dryRun, Progress: progress})
			if rep != nil {
				rep.Print(cmd.OutOrStdout())
			}
			if err != nil {
				return err
			}
			if !dryRun {
				fmt.Fprintln(cmd.OutOrStdout(), "ledger verify: OK")
			}
			if rep.Errors() > 0 {
				return ErrRowsSkipped
			}
			return nil
		},
	}
	django.Flags().BoolVar(&dryRun, "dry-run", false, "check and report everything, write nothing")
	cmd.AddCommand(django)
	return cmd
}

func isTerminal(f *os.File) bool {
	info, err := f.Stat()
	return err == nil && info.Mode()&os.ModeCharDevice != 0
}

// cliName is the CLI as an audit actor: "cli:<OS user>".
func cliName() string {
	name := ""
	if u, err := osuser.Current(); err == nil {
		name = u.Username
	}
	return "cli:" + cmp.Or(name, os.Getenv("USER"), "unknown")
}
