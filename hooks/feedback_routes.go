package hooks

import (
	"database/sql"
	"errors"
	"net/http"

	"github.com/pocketbase/dbx"
	"github.com/pocketbase/pocketbase/core"

	c "toolbase/collections"
)

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

// feedbackBody is a review's body: a submission's (defaults: the fields it
// omits take their defaults) or an edit's.
func feedbackBody(name, desc string, defaults bool) *bodySpec {
	comment := textF(c.FeedbackComment, c.MaxCommentChars)
	isPublic := boolF(c.FeedbackIsPublic).about("False: only the author, the tool's creator and admins see it.")
	if defaults {
		comment, isPublic = comment.dflt(""), isPublic.dflt(true)
	}
	return &bodySpec{name: name, desc: desc, fields: []bodyField{integerF(c.FeedbackRating, c.MinRating, c.MaxRating).req(), comment, isPublic}}
}

// The review bodies.
var (
	feedbackSubmitBody = feedbackBody("FeedbackSubmit", "The caller's review of the tool. A second submission replaces the first, "+
		"as a new review: the fields it omits take their defaults.", true)
	feedbackUpdateBody = feedbackBody("FeedbackUpdate", "An edit of a review. PUT requires `rating`; the fields omitted keep their values. "+
		"`tool` and `user` are read-only (ignored).", false)
)

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
	feedbackSubmitBody.read(f)
	if err := f.err(); err != nil {
		return err
	}
	rating, _ := f.cleanInt(c.FeedbackRating)
	comment, _ := f.cleanText(c.FeedbackComment)
	isPublic, given := f.cleanBool(c.FeedbackIsPublic)
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

// feedbackRule is the DRF viewset's reach: the list rule of tool_feedback
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
	var conds []dbx.Expression
	if tool := e.Request.URL.Query().Get("tool"); tool != "" {
		conds = append(conds, dbx.HashExp{c.ToolFeedback + "." + c.FeedbackTool: tool})
	}
	return listing{collection: c.ToolFeedback, rule: feedbackRule, show: feedbackViews}.list(e, conds...)
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
	feedbackUpdateBody.read(f)
	f.setOn(review)
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
