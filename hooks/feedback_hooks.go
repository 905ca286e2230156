package hooks

import (
	"database/sql"
	"errors"
	"fmt"

	"github.com/pocketbase/dbx"
	validation "github.com/pocketbase/ozzo-validation/v4"
	"github.com/pocketbase/pocketbase/core"

	c "toolbase/collections"
)

// Reviews of tools (spec sections 2–4, issue 6). A review is written through
// the DRF routes or the records API; on either surface, and for superusers
// too, record hooks check that the reviewer may review the tool and recompute
// the tool's rating counters from the reviews themselves in the transaction of
// the write. Writes are serialized (one writer connection; SQLite's write lock
// across processes), so the counters equal a recount after every commit: they
// cannot drift, whatever the interleaving.

// The DRF API's messages.
const (
	msgMustUse = "You must use the tool before providing feedback"
	msgOwnTool = "You cannot review your own tool."
)

// reviewError is a review the reviewer may not write.
type reviewError struct{ code, msg string }

func (e *reviewError) Error() string { return e.msg }

// asValidation words it as a validation error of the records API.
func (e *reviewError) asValidation() error {
	return validation.Errors{c.FeedbackTool: validation.NewError(e.code, e.msg)}
}

var (
	// errReviewNotUsed refuses a review by a user without a successful usage of the tool.
	errReviewNotUsed = &reviewError{"toolbase_review_not_used", msgMustUse}
	// errReviewOwnTool refuses a creator's review of its own tool.
	errReviewOwnTool = &reviewError{"toolbase_review_own_tool", msgOwnTool}
	// errReviewMoved refuses an edit that moves a review to another tool or user.
	errReviewMoved = validation.NewError("toolbase_review_moved", "A review stays with its tool and its author.")
)

// bindFeedback binds the record hooks of the reviews. (The privacy of usage
// rows on the records API and realtime is the privateFields table's:
// bindPrivateFields.)
func bindFeedback(app core.App) {
	app.OnRecordCreateRequest(c.ToolFeedback).BindFunc(func(e *core.RecordRequestEvent) error {
		info, err := e.RequestInfo()
		if err != nil {
			return err
		}
		if _, given := info.Body[c.FeedbackIsPublic]; !given {
			e.Record.Set(c.FeedbackIsPublic, true) // the DRF API's default
		}
		if e.Record.GetString(c.FeedbackUser) == "" && e.Auth != nil && e.Auth.Collection().Name == c.Users {
			e.Record.Set(c.FeedbackUser, e.Auth.Id) // the create rule allows only the caller
		}
		return e.Next()
	})
	app.OnRecordCreate(c.ToolFeedback).BindFunc(func(e *core.RecordEvent) error {
		return inRecordTx(e, func(tx core.App) error {
			fb := c.AsFeedback(e.Record)
			var refused *reviewError
			if err := checkReviewer(tx, fb.Tool(), fb.User()); errors.As(err, &refused) {
				return refused.asValidation()
			} else if err != nil {
				return err
			}
			if err := e.Next(); err != nil {
				return err
			}
			return recountRatings(tx, fb.Tool())
		})
	})
	app.OnRecordUpdate(c.ToolFeedback).BindFunc(func(e *core.RecordEvent) error {
		original := c.AsFeedback(e.Record.Original())
		fb := c.AsFeedback(e.Record)
		if fb.Tool() != original.Tool() {
			return validation.Errors{c.FeedbackTool: errReviewMoved}
		}
		if fb.User() != original.User() {
			return validation.Errors{c.FeedbackUser: errReviewMoved}
		}
		return inRecordTx(e, func(tx core.App) error {
			// an edit racing a delete must not "succeed" on a row that is gone
			var exists int
			if err := tx.DB().Select("(1)").From(c.ToolFeedback).Where(dbx.HashExp{c.FieldID: e.Record.Id}).Row(&exists); err != nil {
				return err // sql.ErrNoRows: 404 on both surfaces
			}
			if err := e.Next(); err != nil {
				return err
			}
			return recountRatings(tx, fb.Tool())
		})
	})
	app.OnRecordDelete(c.ToolFeedback).BindFunc(func(e *core.RecordEvent) error {
		return inRecordTx(e, func(tx core.App) error {
			if err := e.Next(); err != nil {
				return err
			}
			return recountRatings(tx, c.AsFeedback(e.Record).Tool())
		})
	})
}

// inRecordTx runs a record hook's fn (which calls e.Next) in a transaction
// joined by the write itself, so that what fn does commits with the write or
// not at all.
func inRecordTx(e *core.RecordEvent, fn func(tx core.App) error) error {
	outer := e.App
	defer func() { e.App = outer }()
	return outer.RunInTransaction(func(tx core.App) error {
		e.App = tx
		return fn(tx)
	})
}

// checkReviewer tells whether the user may review the tool: not its own tool,
// and at least one successful usage of it. An unknown tool or user passes:
// the record's validation refuses it.
func checkReviewer(app core.App, toolID, userID string) error {
	if toolID == "" || userID == "" {
		return nil
	}
	var creator string
	err := app.DB().Select(c.ToolCreator).From(c.Tools).Where(dbx.HashExp{c.FieldID: toolID}).Row(&creator)
	if errors.Is(err, sql.ErrNoRows) {
		return nil
	}
	if err != nil {
		return err
	}
	if creator == userID {
		return errReviewOwnTool
	}
	var used int
	err = app.DB().Select("(1)").From(c.ToolUsage).
		Where(dbx.HashExp{c.UsageUser: userID, c.UsageTool: toolID, c.UsageSuccess: true}).
		Limit(1).Row(&used)
	if errors.Is(err, sql.ErrNoRows) {
		return errReviewNotUsed
	}
	return err
}

// recountRatingsSQL sets a tool's rating_count and average_rating from its
// reviews: the mean rounded half up to 2 decimals, in integer arithmetic
// (floor((200·sum + n) / 2n) hundredths), so that no float rounding can
// differ between two recounts. No reviews: 0 and 0.
const recountRatingsSQL = `UPDATE {{tools}} SET
	[[rating_count]] = (SELECT COUNT(*) FROM {{tool_feedback}} f WHERE f.[[tool]] = {:tool}),
	[[average_rating]] = COALESCE((SELECT (SUM(CAST(f.[[rating]] AS INTEGER)) * 200 + COUNT(*)) / (2 * COUNT(*))
		FROM {{tool_feedback}} f WHERE f.[[tool]] = {:tool}), 0) / 100.0
	WHERE [[id]] = {:tool}`

// recountRatings recomputes a tool's rating counters inside tx.
func recountRatings(tx core.App, toolID string) error {
	if _, err := tx.DB().NewQuery(recountRatingsSQL).Bind(dbx.Params{"tool": toolID}).Execute(); err != nil {
		return fmt.Errorf("recounting the ratings of tool %s: %w", toolID, err)
	}
	return nil
}
