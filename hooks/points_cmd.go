package hooks

import (
	"errors"
	"fmt"
	"strconv"
	"strings"

	"github.com/pocketbase/pocketbase/core"
	"github.com/spf13/cobra"

	c "toolbase/collections"
)

func newPointsCommand(app core.App) *cobra.Command {
	points := &cobra.Command{Use: "points", Short: "Grant or deduct a user's points (recorded in the ledger and the audit log)"}
	for _, deduct := range []bool{false, true} {
		use, short := "add", "Grant N points to the user with EMAIL"
		if deduct {
			use, short = "deduct", "Deduct N points from the user with EMAIL (never below zero)"
		}
		var reason string
		cmd := &cobra.Command{
			Use:   use + " EMAIL N --reason TEXT",
			Short: short,
			Args:  cobra.ExactArgs(2),
			RunE: func(cmd *cobra.Command, args []string) error {
				n, err := pointsArg(args[1], deduct)
				if err != nil {
					return err
				}
				if strings.TrimSpace(reason) == "" {
					return errors.New("--reason is required: points never move without one (it is recorded in the ledger row)")
				}
				if err := app.RunAppMigrations(); err != nil {
					return err
				}
				user, err := app.FindAuthRecordByEmail(c.Users, args[0])
				if err != nil {
					return fmt.Errorf("no user with email %q", args[0])
				}
				change := NewPointsChange(user, "", deduct)
				change.Points, change.Reason, change.by = n, reason, cliActor()
				balance, err := change.Submit(app)
				if errors.Is(err, ErrInsufficientPoints) {
					return fmt.Errorf("cannot deduct %d points from %s: only %d available: %w",
						n, args[0], user.GetInt64(c.UserPointsBalance), err)
				}
				if err != nil {
					return fmt.Errorf("%s %d points for %s: %w", use, n, args[0], err)
				}
				fmt.Fprintf(cmd.OutOrStdout(), "%s now has %d points\n", args[0], balance)
				return nil
			},
		}
		cmd.Flags().StringVar(&reason, "reason", "", "why (required), recorded in the ledger row (at most 500 characters)")
		// "points add EMAIL -5" reads -5 as a flag: say what is wrong instead
		cmd.SetFlagErrorFunc(func(_ *cobra.Command, err error) error {
			// pflag: "unknown shorthand flag: '5' in -5"
			if _, arg, ok := strings.Cut(err.Error(), "unknown shorthand flag: "); ok {
				if i := strings.LastIndex(arg, " in "); i >= 0 {
					if v, perr := strconv.ParseFloat(arg[i+len(" in "):], 64); perr == nil && v < 0 {
						return negativePoints(arg[i+len(" in "):], deduct)
					}
				}
			}
			return err
		})
		points.AddCommand(cmd)
	}
	return points
}

// pointsArg reads N of `points add/deduct`: a whole number from 1 to
// MaxPointsChange.
func pointsArg(raw string, deduct bool) (int64, error) {
	n, err := strconv.ParseInt(strings.TrimSpace(raw), 10, 64)
	switch {
	case err != nil && errors.Is(err, strconv.ErrRange):
		return 0, fmt.Errorf("N is too large: at most %d points move at once", MaxPointsChange)
	case err != nil:
		return 0, fmt.Errorf("N must be a whole number of points: %q", raw)
	case n < 0:
		return 0, negativePoints(raw, deduct)
	case n == 0:
		return 0, errors.New("N must be at least 1 point")
	case n > MaxPointsChange:
		return 0, fmt.Errorf("N is too large: at most %d points move at once", MaxPointsChange)
	}
	return n, nil
}

func negativePoints(raw string, deduct bool) error {
	if deduct {
		return fmt.Errorf("negative amounts are refused (%s): N is the positive number of points to deduct", raw)
	}
	return fmt.Errorf("negative amounts are refused (%s): to take points away use `points deduct EMAIL N`", raw)
}
