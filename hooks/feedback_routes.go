package hooks

import (
	"database/sql"
	"errors"
	"fmt"
	"net/http"

	"github.com/pocketbase/dbx"
	validation "github.com/pocketbase/ozzo-validation/v4"
	"github.com/pocketbase/pocketbase/core"

	c "toolbase/collections"
)

// Reviews of tools (spec sections 2–4, issue 6). A review is written through
// the seed routes or the records API; on either surface, and for superusers
// too, record hooks check that the reviewer may review the tool and recompute
// the tool's rating counters from the reviews themselves in the transaction of
// the write. Writes are serialized (one writer connection; SQLite's write lock
// across processes), so the counters equal a recount after every commit: they
// cannot drift, whatever the interleaving.

// The seed's messages.
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

// bindFeedback binds the record hooks of the reviews, and the privacy of
// usage rows on the records API and realtime (hideUsagePrivateFields).
func bindFeedback(app core.App) {
	app.OnRecordCreateRequest(c.ToolFeedback).BindFunc(func(e *core.RecordRequestEvent) error {
		info, err := e.RequestInfo()
		if err != nil {
			return err
		}
		if _, given := info.Body[c.FeedbackIsPublic]; !given {
			e.Record.Set(c.FeedbackIsPublic, true) // the seed's default
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
	app.OnRecordEnrich(c.ToolUsage).BindFunc(hideUsagePrivateFields)
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

// hideUsagePrivateFields keeps a usage's remaining_points (the payer's
// balance) and idempotency_key private to the payer and admins, and its
// creator_earning to the tool's side and admins: the usage rule shows a
// tool's usage to its creator too, and a client's balance is none of the
// creator's business, nor the creator's share of the client's. It runs for
// the records API and for every realtime message. Which field is private to
// whom is the privateFields table (private_fields.go), which the filter
// guard also reads.
func hideUsagePrivateFields(e *core.RecordEnrichEvent) error {
	if err := e.Next(); err != nil {
		return err
	}
	hidePrivateFields(e.RequestInfo, e.Record)
	return nil
}

// feedbackView is the seed's representation of a review.
type feedbackView struct {
	ID        string `json:"id"`
	Tool      string `json:"tool"`
	ToolName  string `json:"tool_name"`
	User      string `json:"user"`
	UserName  string `json:"user_name"`
	Rating    int    `json:"rating"`
	Comment   string `json:"comment"`
	IsPublic  bool   `json:"is_public"`
	CreatedAt any    `json:"created_at"`
	UpdatedAt any    `json:"updated_at"`
}

// feedbackViews shows reviews, with their tools and users loaded in one query each.
func feedbackViews(app core.App, reviews []*core.Record) ([]any, error) {
	tools, err := recordsByID(app, c.Tools, fieldValues(reviews, c.FeedbackTool))
	if err != nil {
		return nil, err
	}
	users, err := recordsByID(app, c.Users, fieldValues(reviews, c.FeedbackUser))
	if err != nil {
		return nil, err
	}
	out := make([]any, len(reviews))
	for i, r := range reviews {
		fb := c.AsFeedback(r)
		out[i] = feedbackView{
			ID:        r.Id,
			Tool:      fb.Tool(),
			ToolName:  nameOf(tools[fb.Tool()]),
			User:      fb.User(),
			UserName:  fullName(users[fb.User()]),
			Rating:    fb.Rating(),
			Comment:   fb.Comment(),
			IsPublic:  fb.IsPublic(),
			CreatedAt: rfc3339(r.GetDateTime(c.FieldCreatedAt)),
			UpdatedAt: rfc3339(r.GetDateTime(c.FieldUpdatedAt)),
		}
	}
	return out, nil
}

// showFeedback answers one review.
func showFeedback(e *core.RequestEvent, status int, review *core.Record) error {
	views, err := feedbackViews(e.App, []*core.Record{review})
	if err != nil {
		return err
	}
	return e.JSON(status, views[0])
}

func bindFeedbackRoutes(authed group) {
	route(authed, "/tools/tools/{id}/feedback/", map[string]handler{http.MethodGet: toolFeedbackRoute})
	route(authed, "/tools/tools/{id}/submit_feedback/", map[string]handler{http.MethodPost: submitFeedbackRoute})
	route(authed, "/tools/feedback/", map[string]handler{http.MethodGet: feedbackListRoute})
	route(authed, "/tools/feedback/{id}/", map[string]handler{
		http.MethodGet:    feedbackDetailRoute,
		http.MethodPut:    feedbackUpdateRoute,
		http.MethodPatch:  feedbackUpdateRoute,
		http.MethodDelete: feedbackDeleteRoute,
	})
}

// toolFeedbackRoute is GET /api/tools/tools/{id}/feedback/: the public
// reviews of a tool the caller can see, newest first, as a bare array.
func toolFeedbackRoute(e *core.RequestEvent) error {
	tool, err := findVisible(e, c.Tools, e.Request.PathValue("id"))
	if err != nil {
		return err
	}
	q, err := listQuery(e, c.ToolFeedback)
	if err != nil {
		return err
	}
	q.AndWhere(dbx.HashExp{c.ToolFeedback + "." + c.FeedbackTool: tool.Id}).
		AndWhere(dbx.NewExp("[[" + c.ToolFeedback + "." + c.FeedbackIsPublic + "]] = 1"))
	var reviews []*core.Record
	if err := q.OrderBy(newestFirst(c.ToolFeedback)...).Limit(maxBareList).All(&reviews); err != nil {
		return err
	}
	out, err := feedbackViews(e.App, reviews)
	if err != nil {
		return err
	}
	return e.JSON(http.StatusOK, out)
}

// submitFeedbackRoute is POST /api/tools/tools/{id}/submit_feedback/
// {rating, comment?, is_public?}: 201 with the new review, or 200 when it
// replaces the caller's review of the tool (omitted fields take their
// defaults: a replacement is a new review).
func submitFeedbackRoute(e *core.RequestEvent) error {
	f, err := readForm(e, maxBodyBytes)
	if err != nil {
		return err
	}
	tool, err := findVisible(e, c.Tools, e.Request.PathValue("id"))
	if err != nil {
		return err
	}
	if c.AsTool(tool).Creator() == e.Auth.Id {
		return errDetail(http.StatusForbidden, msgOwnTool)
	}
	rating, _ := f.integer(c.FeedbackRating, c.MinRating, c.MaxRating, true)
	comment, _ := f.text(c.FeedbackComment, c.MaxCommentChars, false)
	isPublic, given := f.boolean(c.FeedbackIsPublic)
	if err := f.err(); err != nil {
		return err
	}
	if !given {
		isPublic = true
	}

	col, err := e.App.FindCachedCollectionByNameOrId(c.ToolFeedback)
	if err != nil {
		return err
	}
	status := http.StatusCreated
	var review *core.Record
	err = e.App.RunInTransaction(func(tx core.App) error {
		if err := checkReviewer(tx, tool.Id, e.Auth.Id); err != nil {
			return err
		}
		review = &core.Record{}
		err := tx.RecordQuery(col).AndWhere(dbx.HashExp{c.FeedbackTool: tool.Id, c.FeedbackUser: e.Auth.Id}).Limit(1).One(review)
		switch {
		case err == nil:
			status = http.StatusOK
		case errors.Is(err, sql.ErrNoRows):
			status = http.StatusCreated
			review = core.NewRecord(col)
			review.Set(c.FeedbackTool, tool.Id)
			review.Set(c.FeedbackUser, e.Auth.Id)
		default:
			return err
		}
		review.Set(c.FeedbackRating, rating)
		review.Set(c.FeedbackComment, comment)
		review.Set(c.FeedbackIsPublic, isPublic)
		return tx.Save(review)
	})
	switch {
	case errors.Is(err, errReviewNotUsed):
		return errNonField(msgMustUse)
	case errors.Is(err, errReviewOwnTool):
		return errDetail(http.StatusForbidden, msgOwnTool)
	case err != nil:
		return err
	}
	return showFeedback(e, status, review)
}

// feedbackRule is the seed viewset's reach: the list rule of tool_feedback
// narrowed to FeedbackScope, as one rule (one resolver, one set of joins).
func feedbackRule(col *core.Collection) *string {
	rule := c.FeedbackScope
	if col.ListRule != nil && *col.ListRule != "" {
		rule = "(" + *col.ListRule + ") && (" + rule + ")"
	}
	return &rule
}

// feedbackListRoute is GET /api/tools/feedback/: a page of the reviews in the
// viewset's reach, newest first; ?tool= narrows it to one tool.
func feedbackListRoute(e *core.RequestEvent) error {
	col, err := e.App.FindCachedCollectionByNameOrId(c.ToolFeedback)
	if err != nil {
		return err
	}
	build := func() (*dbx.SelectQuery, error) {
		q, err := ruleQuery(e, col, feedbackRule(col))
		if err != nil {
			return nil, err
		}
		if tool := e.Request.URL.Query().Get("tool"); tool != "" {
			q.AndWhere(dbx.HashExp{c.ToolFeedback + "." + c.FeedbackTool: tool})
		}
		return q, nil
	}
	return paginate(e, build, newestFirst(c.ToolFeedback), feedbackViews)
}

// findFeedback loads a review in the viewset's reach, or answers 404.
func findFeedback(e *core.RequestEvent) (*core.Record, error) {
	col, err := e.App.FindCachedCollectionByNameOrId(c.ToolFeedback)
	if err != nil {
		return nil, err
	}
	info, err := e.RequestInfo()
	if err != nil {
		return nil, err
	}
	rec, err := e.App.FindRecordById(col, e.Request.PathValue("id"), func(q *dbx.SelectQuery) error {
		return applyRule(e.App, q, col, info, feedbackRule(col))
	})
	if errors.Is(err, sql.ErrNoRows) {
		return nil, errNotFound
	}
	return rec, err
}

// mayChange answers 403 unless rule (an update or delete rule) lets the
// request change the review; 404 if the review vanished meanwhile.
func mayChange(e *core.RequestEvent, review *core.Record, rule *string) error {
	ok, err := allowed(e, review, rule)
	if err != nil || ok {
		return err
	}
	if _, err := findFeedback(e); err != nil {
		return err
	}
	return errForbidden
}

func feedbackDetailRoute(e *core.RequestEvent) error {
	review, err := findFeedback(e)
	if err != nil {
		return err
	}
	return showFeedback(e, http.StatusOK, review)
}

// feedbackUpdateRoute is PUT/PATCH /api/tools/feedback/{id}/ {rating,
// comment, is_public}: the author edits its review (PUT needs rating; tool
// and user are read-only).
func feedbackUpdateRoute(e *core.RequestEvent) error {
	f, err := readForm(e, maxBodyBytes)
	if err != nil {
		return err
	}
	review, err := findFeedback(e)
	if err != nil {
		return err
	}
	if err := mayChange(e, review, review.Collection().UpdateRule); err != nil {
		return err
	}
	if rating, ok := f.integer(c.FeedbackRating, c.MinRating, c.MaxRating, true); ok {
		review.Set(c.FeedbackRating, rating)
	}
	if comment, ok := f.text(c.FeedbackComment, c.MaxCommentChars, false); ok {
		review.Set(c.FeedbackComment, comment)
	}
	if isPublic, ok := f.boolean(c.FeedbackIsPublic); ok {
		review.Set(c.FeedbackIsPublic, isPublic)
	}
	if err := f.err(); err != nil {
		return err
	}
	if err := e.App.Save(review); err != nil {
		return err
	}
	return showFeedback(e, http.StatusOK, review)
}

// feedbackDeleteRoute is DELETE /api/tools/feedback/{id}/: the author, or an
// admin moderating, deletes a review; 204.
func feedbackDeleteRoute(e *core.RequestEvent) error {
	review, err := findFeedback(e)
	if err != nil {
		return err
	}
	if err := mayChange(e, review, review.Collection().DeleteRule); err != nil {
		return err
	}
	if err := e.App.Delete(review); err != nil {
		return err
	}
	return e.NoContent(http.StatusNoContent)
}
