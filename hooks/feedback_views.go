package hooks

import (
	"github.com/pocketbase/pocketbase/core"

	c "toolbase/collections"
)

// feedbackView is the DRF API's representation of a review.
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
