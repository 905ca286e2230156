package hooks

import (
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"

	validation "github.com/pocketbase/ozzo-validation/v4"
	"github.com/pocketbase/pocketbase/core"
	"github.com/spf13/cobra"

	c "toolbase/collections"
	"toolbase/hooks/ledger"
)

// MaxPointsChange bounds one admin grant or deduction.
const MaxPointsChange = 1_000_000_000

// ErrInsufficientPoints is a deduction refused because it would go below zero.
// It is a pointer so that errors.Is can match it: the validation.ErrorObject
// value itself holds a map, which makes it incomparable (errors.Is never
// matches it and == panics).
var ErrInsufficientPoints validation.Error = &errInsufficientPoints

var errInsufficientPoints = validation.NewError("toolbase_insufficient_points", "Insufficient points").(validation.ErrorObject)

// PointsChange is an admin's grant (GRANT) or deduction (DEDUCT) of a user's
// points. The admin routes and the `points` command both submit it.
type PointsChange struct {
	Points int64  `json:"points"`
	Reason string `json:"reason"`

	user   *core.Record
	actor  string    // the admin's user id; empty from the CLI
	by     actorInfo // who acted when it is no user: the CLI
	deduct bool
}

// NewPointsChange prepares a change of user's points by actor ("" for the CLI).
func NewPointsChange(user *core.Record, actor string, deduct bool) *PointsChange {
	return &PointsChange{user: user, actor: actor, deduct: deduct}
}

// Validate checks the amount and the reason.
func (f *PointsChange) Validate() error {
	return validation.ValidateStruct(f,
		validation.Field(&f.Points, validation.Required, validation.Min(int64(1)), validation.Max(int64(MaxPointsChange))),
		validation.Field(&f.Reason, validation.RuneLength(0, c.MaxNoteChars)),
	)
}

// Submit validates the change and posts it to the ledger; it returns the new
// balance, or ErrInsufficientPoints for a deduction below zero.
func (f *PointsChange) Submit(app core.App) (int64, error) {
	if err := f.Validate(); err != nil {
		return 0, err
	}
	entry := ledger.Entry{User: f.user.Id, Account: c.AccountPoints, Kind: c.KindGrant, Amount: f.Points, Actor: f.actor, Note: f.Reason}
	if f.deduct {
		entry.Kind, entry.Amount = c.KindDeduct, -f.Points
	}
	after, err := postAudited(app, f.by, entry)
	if errors.Is(err, ledger.ErrInsufficient) {
		if f.deduct {
			return 0, ErrInsufficientPoints
		}
		return 0, validation.Errors{"points": validation.NewError("toolbase_balance_limit", "The balance would exceed its limit.")}
	}
	if err != nil {
		return 0, err
	}
	f.user.Set(c.UserPointsBalance, after[0])
	return after[0], nil
}

func bindPointsRoutes(authed group) {
	admins := only(authed, c.RoleAdmin)
	route(admins, "/users/users/{id}/add_points/", map[string]handler{http.MethodPost: pointsRoute(false)})
	route(admins, "/users/users/{id}/deduct_points/", map[string]handler{http.MethodPost: pointsRoute(true)})
}

// pointsRoute is POST users/{id}/add_points/ or deduct_points/ {points,
// reason?} (admins): the user in the seed's client representation.
func pointsRoute(deduct bool) handler {
	return func(e *core.RequestEvent) error {
		user, err := findVisible(e, c.Users, e.Request.PathValue("id"))
		if err != nil {
			return err
		}
		f, err := readForm(e, maxBodyBytes)
		if err != nil {
			return err
		}
		change := NewPointsChange(user, e.Auth.Id, deduct)
		change.Points, _ = f.integer("points", 1, MaxPointsChange, true)
		change.Reason, _ = f.text("reason", c.MaxNoteChars, false)
		if err := f.err(); err != nil {
			return err
		}
		if _, err := change.Submit(e.App); errors.Is(err, ErrInsufficientPoints) {
			return errNonField("Insufficient points")
		} else if err != nil {
			return err
		}
		return e.JSON(http.StatusOK, clientViewOf(user))
	}
}

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
