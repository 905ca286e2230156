package hooks

import (
	"errors"
	"net/http"

	validation "github.com/pocketbase/ozzo-validation/v4"
	"github.com/pocketbase/pocketbase/core"

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

// pointsBody is the body of add_points/ and deduct_points/.
var pointsBody = &bodySpec{name: "PointsChange", fields: []bodyField{
	integerF("points", 1, MaxPointsChange).req().about("How many points."),
	textF("reason", c.MaxNoteChars).about("Recorded as the ledger row's note."),
}}

// pointsRoute is POST users/{id}/add_points/ or deduct_points/ {points,
// reason?} (admins): the user in the DRF API's client representation.
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
		pointsBody.read(f)
		if err := f.err(); err != nil {
			return err
		}
		change.Points, _ = f.cleanInt("points")
		change.Reason, _ = f.cleanText("reason")
		if _, err := change.Submit(e.App); errors.Is(err, ErrInsufficientPoints) {
			return errNonField("Insufficient points")
		} else if err != nil {
			return err
		}
		return e.JSON(http.StatusOK, clientViewOf(user))
	}
}
