package hooks

import (
	"encoding/json"
	"math"
	"strings"

	"github.com/pocketbase/pocketbase/core"

	c "toolbase/collections"
)

// toolHead is what both representations of a tool start with.
type toolHead struct {
	ID          string `json:"id"`
	Name        string `json:"name"`
	Description string `json:"description"`
	Category    string `json:"category"`
	Status      string `json:"status"`
	Creator     string `json:"creator"`
	CreatorName string `json:"creator_name"`
}

func toolHeadOf(t *core.Record, creatorName string) toolHead {
	tool := c.AsTool(t)
	return toolHead{
		ID:          t.Id,
		Name:        tool.Name(),
		Description: t.GetString(c.ToolDescription),
		Category:    t.GetString(c.ToolCategory),
		Status:      tool.Status(),
		Creator:     tool.Creator(),
		CreatorName: creatorName,
	}
}

// toolView is the DRF API's detail representation of a tool, plus rating_count.
type toolView struct {
	toolHead
	CreatorEmail     string   `json:"creator_email"`
	PointsCost       int64    `json:"points_cost"`
	APIEndpoint      string   `json:"api_endpoint"`
	APIDocumentation string   `json:"api_documentation"`
	Tags             []string `json:"tags"`
	Version          string   `json:"version"`
	TotalUses        int64    `json:"total_uses"`
	TotalRevenue     int64    `json:"total_revenue"`
	AverageRating    float64  `json:"average_rating"`
	RatingCount      int64    `json:"rating_count"`
	ModerationNote   string   `json:"moderation_note"`
	CreatedAt        any      `json:"created_at"`
	UpdatedAt        any      `json:"updated_at"`
}

// toolListView is the DRF API's list representation of a tool, plus the
// creator's id.
type toolListView struct {
	toolHead
	PointsCost    int64   `json:"points_cost"`
	TotalUses     int64   `json:"total_uses"`
	AverageRating float64 `json:"average_rating"`
	CreatedAt     any     `json:"created_at"`
}

// newToolView shows tool t, whose creator is the users record u (nil if it
// is gone), to reader (nil: nobody): its moderation note only if the
// privateFields table shows it to reader.
func newToolView(t, u, reader *core.Record) toolView {
	tool := c.AsTool(t)
	name, email := creatorOf(u)
	return toolView{
		toolHead:         toolHeadOf(t, name),
		CreatorEmail:     email,
		PointsCost:       tool.PointsCost(),
		APIEndpoint:      tool.APIEndpoint(),
		APIDocumentation: t.GetString(c.ToolAPIDocumentation),
		Tags:             toolTags(t),
		Version:          t.GetString(c.ToolVersion),
		TotalUses:        tool.TotalUses(),
		TotalRevenue:     tool.TotalRevenue(),
		AverageRating:    rating2(tool.AverageRating()),
		RatingCount:      tool.RatingCount(),
		ModerationNote:   shownPrivateField(reader, t, c.ToolModerationNote),
		CreatedAt:        rfc3339(t.GetDateTime(c.FieldCreatedAt)),
		UpdatedAt:        rfc3339(t.GetDateTime(c.FieldUpdatedAt)),
	}
}

// newToolListView shows tool t in a list.
func newToolListView(t, u *core.Record) toolListView {
	tool := c.AsTool(t)
	name, _ := creatorOf(u)
	return toolListView{
		toolHead:      toolHeadOf(t, name),
		PointsCost:    tool.PointsCost(),
		TotalUses:     tool.TotalUses(),
		AverageRating: rating2(tool.AverageRating()),
		CreatedAt:     rfc3339(t.GetDateTime(c.FieldCreatedAt)),
	}
}

func creatorOf(u *core.Record) (name, email string) {
	if u == nil {
		return "", ""
	}
	return fullName(u), u.Email()
}

// fullName is Django's get_full_name() of a users record: first and last name
// joined by a space and stripped, empty when both are (never the username).
// It names people in the DRF API's *_name fields (creator_name, user_name).
func fullName(u *core.Record) string {
	if u == nil {
		return ""
	}
	return strings.TrimSpace(u.GetString(c.UserFirstName) + " " + u.GetString(c.UserLastName))
}

// toolTags returns the tags as a list (never null).
func toolTags(t *core.Record) []string {
	tags := []string{}
	if raw := t.GetString(c.ToolTags); raw != "" {
		if err := json.Unmarshal([]byte(raw), &tags); err != nil || tags == nil {
			tags = []string{}
		}
	}
	return tags
}

func rating2(v float64) float64 { return math.Round(v*100) / 100 }

// showTool answers one tool in the detail representation.
func showTool(e *core.RequestEvent, status int, t *core.Record) error {
	views, err := toolViews(true, e.Auth)(e.App, []*core.Record{t})
	if err != nil {
		return err
	}
	return e.JSON(status, views[0])
}

// toolViews shows tools to reader in the detail or the list representation,
// with their creators loaded in one query. Users' view rule hides other
// users; a tool's creator name and email are the tool's own public fields, so
// they are read directly.
func toolViews(detail bool, reader *core.Record) shower {
	return func(app core.App, tools []*core.Record) ([]any, error) {
		creators, err := recordsByID(app, c.Users, fieldValues(tools, c.ToolCreator))
		if err != nil {
			return nil, err
		}
		out := make([]any, len(tools))
		for i, t := range tools {
			creator := creators[t.GetString(c.ToolCreator)]
			if detail {
				out[i] = newToolView(t, creator, reader)
			} else {
				out[i] = newToolListView(t, creator)
			}
		}
		return out, nil
	}
}
