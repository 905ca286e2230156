package hooks

import (
	"fmt"
	"io"
	"sort"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/pocketbase/dbx"
	"github.com/pocketbase/pocketbase/core"
	"github.com/pocketbase/pocketbase/tools/types"
	"github.com/spf13/cobra"

	c "toolbase/collections"
	"toolbase/hooks/ledger"
)

// errorsLine words field errors on one line, for the CLI.
func errorsLine(fe FieldErrors) string {
	keys := make([]string, 0, len(fe))
	for k := range fe {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	parts := make([]string, 0, len(keys))
	for _, k := range keys {
		msg := strings.Join(fe[k], " ")
		if k == "non_field_errors" {
			parts = append(parts, msg)
		} else {
			parts = append(parts, "--"+k+": "+msg)
		}
	}
	return strings.Join(parts, "; ")
}

// newStatsCommand is `toolbase stats [--tool ID] [--from DATE --to DATE]
// [--interval day|week|month]`: the platform's statistics (an admin's
// /usage/stats/), or a tool's (its /tools/{id}/stats/), as tables, computed
// by the same code as the routes.
func (tb *toolbase) newStatsCommand(app core.App) *cobra.Command {
	var tool, from, to, interval string
	cmd := &cobra.Command{
		Use:   "stats [--tool ID|NAME] [--from YYYY-MM-DD --to YYYY-MM-DD] [--interval day|week|month]",
		Short: "Print usage statistics: the platform's, or one tool's with --tool (default range: the last 30 days up to today, UTC)",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			now := time.Now()
			rng, errs := parseStatsRange(from, to, interval, now)
			if errs != nil {
				return fmt.Errorf("stats: %s", errorsLine(errs))
			}
			if to == "" {
				rng = rng.untilToday(now)
			}
			if err := app.RunAppMigrations(); err != nil {
				return err
			}
			out := cmd.OutOrStdout()
			if tool == "" {
				body, err := PlatformStats(app, rng)
				if err != nil {
					return err
				}
				printPlatformStats(out, body)
				return nil
			}
			rec, err := findToolByIDOrName(app, tool)
			if err != nil {
				return fmt.Errorf("stats: %w", err)
			}
			body, err := ToolStats(app, nil, rec, rng)
			if err != nil {
				return err
			}
			printToolStats(out, body)
			return nil
		},
	}
	cmd.Flags().StringVar(&tool, "tool", "", "id or exact name of the tool (default: the whole platform)")
	cmd.Flags().StringVar(&from, "from", "", "first day, YYYY-MM-DD (default: 29 days before --to)")
	cmd.Flags().StringVar(&to, "to", "", "last day, YYYY-MM-DD (default: today, UTC; the last week or month then ends today)")
	cmd.Flags().StringVar(&interval, "interval", intervalDay, "bucket of the series: day, week (from Monday) or month")
	cmd.AddCommand(tb.newBenchSeedCommand(app))
	return cmd
}

// untilToday ends a range whose last bucket runs past today (a week or a
// month) with today: a default range never reaches into the future.
func (r statsRange) untilToday(now time.Time) statsRange {
	u := now.UTC()
	tomorrow := time.Date(u.Year(), u.Month(), u.Day(), 0, 0, 0, 0, time.UTC).AddDate(0, 0, 1)
	if r.end.After(tomorrow) {
		r.end = tomorrow
	}
	return r
}

// findToolByIDOrName finds the tool with id or, failing that, the one tool
// named exactly so.
func findToolByIDOrName(app core.App, idOrName string) (*core.Record, error) {
	if rec, err := app.FindRecordById(c.Tools, idOrName); err == nil {
		return rec, nil
	}
	found, err := app.FindAllRecords(c.Tools, dbx.HashExp{c.ToolName: idOrName})
	if err != nil {
		return nil, err
	}
	switch len(found) {
	case 0:
		return nil, fmt.Errorf("no tool with id or name %q", idOrName)
	case 1:
		return found[0], nil
	}
	ids := make([]string, len(found))
	for i, t := range found {
		ids[i] = t.Id
	}
	return nil, fmt.Errorf("%d tools are named %q (%s): give the id", len(found), idOrName, strings.Join(ids, ", "))
}

func table(out io.Writer, header string, rows func(w io.Writer)) {
	w := tabwriter.NewWriter(out, 0, 0, 2, ' ', 0)
	fmt.Fprintln(w, header)
	rows(w)
	w.Flush()
	fmt.Fprintln(out)
}

// metricTable prints a METRIC/VALUE table of name, value pairs.
func metricTable(out io.Writer, pairs ...any) {
	table(out, "METRIC\tVALUE", func(w io.Writer) {
		for i := 0; i+1 < len(pairs); i += 2 {
			fmt.Fprintf(w, "%s\t%v\n", pairs[i], pairs[i+1])
		}
	})
}

func printSeries(w io.Writer, s []seriesPoint) {
	for _, p := range s {
		fmt.Fprintf(w, "%s\t%d\t%d\t%d\n", p.Period, p.Uses, p.UniqueUsers, p.PointsSpent)
	}
}

func printToolStats(out io.Writer, b *ToolStatsBody) {
	fmt.Fprintf(out, "tool %s (%s), %s to %s by %s\n\n", b.ToolName, b.Tool, b.Range.From, b.Range.To, b.Range.Interval)
	metricTable(out, "total_uses (lifetime)", b.TotalUses, "total_revenue (lifetime)", b.TotalRevenue,
		"average_rating (lifetime)", fmt.Sprintf("%.2f", b.AverageRating), "rating_count (lifetime)", b.RatingCount,
		"unique_users", b.UniqueUsers, "creator_earnings", b.CreatorEarnings)
	table(out, "PERIOD\tUSES\tUNIQUE_USERS\tPOINTS_SPENT", func(w io.Writer) { printSeries(w, b.Series) })
	table(out, "RECENT USAGE\tUSER\tPOINTS_SPENT\tSUCCESS", func(w io.Writer) {
		for _, u := range b.RecentUsage {
			fmt.Fprintf(w, "%v\t%s\t%d\t%t\n", u.CreatedAt, u.UserEmail, u.PointsSpent, u.Success)
		}
	})
}

func printPlatformStats(out io.Writer, b *PlatformStatsBody) {
	fmt.Fprintf(out, "platform, %s to %s by %s\n\n", b.Range.From, b.Range.To, b.Range.Interval)
	metricTable(out, "total_uses", b.TotalUses, "points_spent", b.PointsSpent, "platform_fees", b.PlatformFees,
		"points_granted", b.PointsGranted, "new_users", b.NewUsers)
	table(out, "TOP TOOL\tNAME\tUSES\tPOINTS_SPENT", func(w io.Writer) {
		for _, t := range b.TopTools {
			fmt.Fprintf(w, "%s\t%s\t%d\t%d\n", t.Tool, t.ToolName, t.Uses, t.PointsSpent)
		}
	})
	table(out, "TOP CREATOR\tEMAIL\tUSES\tPOINTS_SPENT", func(w io.Writer) {
		for _, cr := range b.TopCreators {
			fmt.Fprintf(w, "%s\t%s\t%d\t%d\n", cr.Creator, cr.CreatorEmail, cr.Uses, cr.PointsSpent)
		}
	})
	table(out, "PERIOD\tUSES\tUNIQUE_USERS\tPOINTS_SPENT\tPLATFORM_FEES\tPOINTS_GRANTED\tNEW_USERS", func(w io.Writer) {
		for _, p := range b.Series {
			fmt.Fprintf(w, "%s\t%d\t%d\t%d\t%d\t%d\t%d\n", p.Period, p.Uses, p.UniqueUsers, p.PointsSpent, p.PlatformFees, p.PointsGranted, p.NewUsers)
		}
	})
}

// benchSeedConfirm is the flag without which bench-seed refuses to run.
const benchSeedConfirm = "synthetic-data-ok"

// newBenchSeedCommand is `toolbase stats bench-seed`, hidden, for `make bench`
// only: it records rows paid uses of the given tools by the given users
// through UseTool (the real path: guarded debits, ledger rows, counters),
// backdated evenly over the past days, oldest first, in batches of 1000 per
// transaction. Backdating sets created_at as rows are appended (nothing is
// rewritten), so `ledger verify` holds afterwards. Tool i of n gets n-i
// shares of the rows.
func (tb *toolbase) newBenchSeedCommand(app core.App) *cobra.Command {
	var tools, users []string
	var rows, days int
	var confirmed bool
	cmd := &cobra.Command{
		Use:    "bench-seed --tools ID,… --users ID,… --rows N --days D --" + benchSeedConfirm,
		Short:  "For make bench only: record synthetic paid uses, backdated over past days",
		Hidden: true,
		Args:   cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if !confirmed {
				return fmt.Errorf("bench-seed charges real balances with synthetic uses; it is for make bench: pass --%s", benchSeedConfirm)
			}
			if len(tools) == 0 || len(users) == 0 || rows < 1 || days < 1 {
				return fmt.Errorf("bench-seed needs --tools, --users, --rows ≥ 1 and --days ≥ 1")
			}
			if err := app.RunAppMigrations(); err != nil {
				return err
			}
			toolRecs, err := app.FindRecordsByIds(c.Tools, tools)
			if err != nil || len(toolRecs) != len(tools) {
				return fmt.Errorf("bench-seed: unknown tool among %v", tools)
			}
			userRecs, err := app.FindRecordsByIds(c.Users, users)
			if err != nil || len(userRecs) != len(users) {
				return fmt.Errorf("bench-seed: unknown user among %v", users)
			}
			var weighted []*core.Record
			for i, t := range toolRecs {
				for range len(toolRecs) - i {
					weighted = append(weighted, t)
				}
			}

			var clock types.DateTime
			app.OnRecordCreate(c.ToolUsage).BindFunc(func(e *core.RecordEvent) error {
				e.Record.SetRaw(c.FieldCreatedAt, clock)
				e.Record.SetRaw(c.FieldUpdatedAt, clock)
				return e.Next()
			})
			span := time.Duration(days) * 24 * time.Hour
			start := time.Now().UTC().Add(-span)
			step := span / time.Duration(rows)
			began := time.Now()
			const batch = 1000
			for b := 0; b < rows; b += batch {
				err := app.RunInTransaction(func(tx core.App) error {
					for i := b; i < min(b+batch, rows); i++ {
						clock, _ = types.ParseDateTime(start.Add(step * time.Duration(i)))
						res, err := tb.UseTool(tx, ledger.UseRequest{
							Tool:  weighted[(i*7)%len(weighted)],
							User:  userRecs[i%len(userRecs)],
							Input: fmt.Appendf(nil, `{"bench":%d}`, i),
						})
						if err != nil {
							return fmt.Errorf("use %d: %w", i, err)
						}
						// the ledger appends its rows without record hooks: date them with their use
						if _, err := tx.DB().Update(c.PointTransactions,
							dbx.Params{c.FieldCreatedAt: clock.String(), c.FieldUpdatedAt: clock.String()},
							dbx.HashExp{c.TxUsage: res.Usage.Id}).Execute(); err != nil {
							return err
						}
					}
					return nil
				})
				if err != nil {
					return err
				}
			}
			fmt.Fprintf(cmd.OutOrStdout(), "bench-seed: %d uses of %d tools by %d users over %d days in %s\n",
				rows, len(toolRecs), len(userRecs), days, time.Since(began).Round(time.Millisecond))
			return nil
		},
	}
	cmd.Flags().StringSliceVar(&tools, "tools", nil, "ids of the tools used")
	cmd.Flags().StringSliceVar(&users, "users", nil, "ids of the paying users")
	cmd.Flags().IntVar(&rows, "rows", 100_000, "number of uses")
	cmd.Flags().IntVar(&days, "days", 365, "days of history they spread over")
	cmd.Flags().BoolVar(&confirmed, benchSeedConfirm, false, "confirm that synthetic usage may be written")
	return cmd
}
