package replica

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/benbjohnson/litestream"
	"github.com/spf13/cobra"
)

// RestoreOptions is what `toolbase restore` does.
type RestoreOptions struct {
	Replica   string    // the replica URL
	Dir       string    // the data directory to rebuild
	Timestamp time.Time // zero: the latest state
	Force     bool      // replace the data.db of a directory that holds one
}

// Restore rebuilds Dir's data.db from the replica: its latest state, or its
// state at Timestamp. A directory holding data is refused unless Force, which
// replaces data.db (and its WAL and Litestream's local state) and leaves the
// other files; auxiliary.db (request logs) is not replicated.
func Restore(ctx context.Context, opt RestoreOptions) error {
	if opt.Dir == "" {
		return errors.New("restore: --dir is required")
	}
	client, err := NewClient(opt.Replica)
	if err != nil {
		return err
	}
	if err := os.MkdirAll(opt.Dir, 0o755); err != nil {
		return err
	}
	entries, err := os.ReadDir(opt.Dir)
	if err != nil {
		return err
	}
	if len(entries) > 0 && !opt.Force {
		return fmt.Errorf("restore: %s is not empty; restore into an empty directory, or pass --force to replace its data.db", opt.Dir)
	}
	target := filepath.Join(opt.Dir, "data.db")
	if opt.Force {
		for _, name := range []string{"data.db", "data.db-wal", "data.db-shm", "data.db-txid", ".data.db" + litestream.MetaDirSuffix} {
			if err := os.RemoveAll(filepath.Join(opt.Dir, name)); err != nil {
				return err
			}
		}
	}
	if err := client.Init(ctx); err != nil {
		return fmt.Errorf("restore: replica %s: %w", redact(opt.Replica), err)
	}
	r := litestream.NewReplicaWithClient(nil, client)
	ro := litestream.NewRestoreOptions()
	ro.OutputPath = target
	ro.Timestamp = opt.Timestamp
	ro.IntegrityCheck = litestream.IntegrityCheckQuick
	if err := r.Restore(ctx, ro); err != nil {
		if errors.Is(err, litestream.ErrTxNotAvailable) || errors.Is(err, litestream.ErrNoSnapshots) {
			return fmt.Errorf("restore: the replica %s holds no database%s", redact(opt.Replica), atSuffix(opt.Timestamp))
		}
		return fmt.Errorf("restore: %w", err)
	}
	return nil
}

func atSuffix(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return " at " + t.Format(time.RFC3339)
}

// RestoreCommand is `toolbase restore --replica URL [--timestamp RFC3339] --dir DIR [--force]`.
func RestoreCommand() *cobra.Command {
	var opt RestoreOptions
	var at string
	cmd := &cobra.Command{
		Use:   "restore",
		Short: "Rebuilds a data directory from a replica (TOOLBASE_REPLICA_URL), at its latest state or a moment in the past",
		Long: "Rebuilds DIR/data.db from a Litestream replica written by `serve` with TOOLBASE_REPLICA_URL.\n" +
			"Refuses a directory that is not empty unless --force (which replaces data.db only).\n" +
			"Run `toolbase ledger verify --dir DIR` afterwards, then serve DIR.",
		Args:         cobra.NoArgs,
		SilenceUsage: true,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if opt.Replica == "" {
				opt.Replica = os.Getenv(EnvURL)
			}
			if opt.Replica == "" {
				return errors.New("restore: --replica URL is required (or " + EnvURL + ")")
			}
			if at != "" {
				t, err := time.Parse(time.RFC3339, at)
				if err != nil {
					return fmt.Errorf("restore: --timestamp %q: want RFC 3339, e.g. 2026-11-28T14:05:00Z", at)
				}
				opt.Timestamp = t
			}
			// Litestream logs at info what it downloads; keep errors only
			slog.SetDefault(slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelError})))
			if err := Restore(cmd.Context(), opt); err != nil {
				return err
			}
			fmt.Fprintf(cmd.OutOrStdout(), "restored %s from %s%s\n", filepath.Join(opt.Dir, "data.db"), redact(opt.Replica), atSuffix(opt.Timestamp))
			return nil
		},
	}
	cmd.Flags().StringVar(&opt.Replica, "replica", "", "the replica URL: file:///absolute/dir or s3://bucket/prefix (default $"+EnvURL+")")
	cmd.Flags().StringVar(&at, "timestamp", "", "restore the state at this moment (RFC 3339) instead of the latest")
	cmd.Flags().StringVar(&opt.Dir, "dir", "", "the data directory to rebuild (empty, or --force)")
	cmd.Flags().BoolVar(&opt.Force, "force", false, "replace the data.db of a directory that holds one")
	// PocketBase's global flags, accepted like every other command's (and ignored)
	var dev bool
	var encryptionEnv, queryTimeout string
	cmd.Flags().BoolVar(&dev, "dev", false, "")
	cmd.Flags().StringVar(&encryptionEnv, "encryptionEnv", "", "")
	cmd.Flags().StringVar(&queryTimeout, "queryTimeout", "", "")
	for _, name := range []string{"dev", "encryptionEnv", "queryTimeout"} {
		cmd.Flags().MarkHidden(name)
	}
	return cmd
}

// IsRestore reports whether args (os.Args) run `restore`: it runs before
// PocketBase bootstraps, which would create a database in --dir.
func IsRestore(args []string) bool {
	return len(args) > 1 && strings.TrimSpace(args[1]) == "restore"
}
