// Package hooks holds toolbase's business logic: record hooks, custom routes
// and CLI commands, one file per capability, all bound from Register.
package hooks

import (
	"github.com/pocketbase/pocketbase/core"
	"github.com/spf13/cobra"
)

// Register binds every toolbase hook and route to app.
func Register(app core.App) {
	bindDefaults(app)
	bindGuards(app)
	bindAdjustments(app)
}

// Commands returns toolbase's CLI commands, to add to PocketBase's root command.
func Commands(app core.App) []*cobra.Command {
	cmds := []*cobra.Command{
		newSeedCommand(app),
		newPointsCommand(app),
		newLedgerCommand(app),
	}
	for _, cmd := range cmds {
		silenceUsage(cmd)
	}
	return cmds
}

// silenceUsage keeps a failing command from burying its error under the usage text.
func silenceUsage(cmd *cobra.Command) {
	cmd.SilenceUsage = true
	for _, sub := range cmd.Commands() {
		silenceUsage(sub)
	}
}
