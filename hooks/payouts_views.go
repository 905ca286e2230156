package hooks

import (
	"github.com/pocketbase/pocketbase/core"

	c "toolbase/collections"
)

// payoutView is a payout as the DRF API shows it.
type payoutView struct {
	ID           string `json:"id"`
	Creator      string `json:"creator"`
	CreatorEmail string `json:"creator_email"`
	Amount       int64  `json:"amount"`
	Status       string `json:"status"`
	Method       string `json:"method"`
	Reference    string `json:"reference"`
	Note         string `json:"note"`
	ProcessedBy  any    `json:"processed_by"`
	ProcessedAt  any    `json:"processed_at"`
	CreatedAt    any    `json:"created_at"`
	UpdatedAt    any    `json:"updated_at"`
}

// payoutViews shows payouts, their creators loaded in one query.
func payoutViews(app core.App, records []*core.Record) ([]any, error) {
	users, err := usersOf(app, records, c.PayoutCreator)
	if err != nil {
		return nil, err
	}
	out := make([]any, len(records))
	for i, r := range records {
		p := c.AsPayout(r)
		out[i] = payoutView{
			ID:           r.Id,
			Creator:      p.Creator(),
			CreatorEmail: emailOf(users[p.Creator()]),
			Amount:       p.Amount(),
			Status:       p.Status(),
			Method:       p.Method(),
			Reference:    p.Reference(),
			Note:         p.Note(),
			ProcessedBy:  nullIfEmpty(p.ProcessedBy()),
			ProcessedAt:  rfc3339(p.ProcessedAt()),
			CreatedAt:    rfc3339(r.GetDateTime(c.FieldCreatedAt)),
			UpdatedAt:    rfc3339(r.GetDateTime(c.FieldUpdatedAt)),
		}
	}
	return out, nil
}
