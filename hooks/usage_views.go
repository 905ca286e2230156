package hooks

import (
	"github.com/pocketbase/pocketbase/core"

	c "toolbase/collections"
)

// usageView is the DRF API's representation of a usage, plus the key it came
// through and its time in milliseconds.
type usageView struct {
	ID              string `json:"id"`
	Tool            string `json:"tool"`
	ToolName        string `json:"tool_name"`
	User            string `json:"user"`
	UserEmail       string `json:"user_email"`
	APIKey          any    `json:"api_key"`
	InputData       any    `json:"input_data"`
	OutputData      any    `json:"output_data"`
	PointsSpent     int64  `json:"points_spent"`
	ExecutionTime   string `json:"execution_time"`
	ExecutionTimeMs int64  `json:"execution_time_ms"`
	Success         bool   `json:"success"`
	State           string `json:"state"`
	ErrorMessage    string `json:"error_message"`
	CreatedAt       any    `json:"created_at"`
}

// newUsageView shows usage u of the tool named toolName by the user with userEmail.
func newUsageView(u *core.Record, toolName, userEmail string) usageView {
	usage := c.AsUsage(u)
	var key any
	if k := usage.APIKey(); k != "" {
		key = k
	}
	return usageView{
		ID:              u.Id,
		Tool:            usage.Tool(),
		ToolName:        toolName,
		User:            usage.User(),
		UserEmail:       userEmail,
		APIKey:          key,
		InputData:       u.Get(c.UsageInputData),
		OutputData:      u.Get(c.UsageOutputData),
		PointsSpent:     usage.PointsSpent(),
		ExecutionTime:   drfDuration(usage.ExecutionTimeMs()),
		ExecutionTimeMs: usage.ExecutionTimeMs(),
		Success:         usage.Success(),
		State:           usage.State(),
		ErrorMessage:    usage.ErrorMessage(),
		CreatedAt:       rfc3339(u.GetDateTime(c.FieldCreatedAt)),
	}
}

// usageViews shows usage with their tools and users loaded in one query each.
func usageViews(app core.App, usage []*core.Record) ([]any, error) {
	tools, err := recordsByID(app, c.Tools, fieldValues(usage, c.UsageTool))
	if err != nil {
		return nil, err
	}
	users, err := recordsByID(app, c.Users, fieldValues(usage, c.UsageUser))
	if err != nil {
		return nil, err
	}
	out := make([]any, len(usage))
	for i, u := range usage {
		out[i] = newUsageView(u, nameOf(tools[u.GetString(c.UsageTool)]), emailOf(users[u.GetString(c.UsageUser)]))
	}
	return out, nil
}

func nameOf(t *core.Record) string {
	if t == nil {
		return ""
	}
	return t.GetString(c.ToolName)
}

func emailOf(u *core.Record) string {
	if u == nil {
		return ""
	}
	return u.Email()
}
