package hooks

import (
	"github.com/pocketbase/pocketbase/core"

	c "toolbase/collections"
)

// refundView is a refund as the DRF API shows it.
type refundView struct {
	ID               string `json:"id"`
	Usage            string `json:"usage"`
	Requester        string `json:"requester"`
	RequesterEmail   string `json:"requester_email"`
	Reason           string `json:"reason"`
	Status           string `json:"status"`
	Amount           int64  `json:"amount"`
	CreatorReversal  int64  `json:"creator_reversal"`
	PlatformAbsorbed int64  `json:"platform_absorbed"`
	Note             string `json:"note"`
	ProcessedBy      any    `json:"processed_by"`
	ProcessedAt      any    `json:"processed_at"`
	CreatedAt        any    `json:"created_at"`
	UpdatedAt        any    `json:"updated_at"`
}

// refundViews shows refunds, their requesters loaded in one query.
func refundViews(app core.App, records []*core.Record) ([]any, error) {
	users, err := usersOf(app, records, c.RefundRequester)
	if err != nil {
		return nil, err
	}
	out := make([]any, len(records))
	for i, r := range records {
		x := c.AsRefund(r)
		out[i] = refundView{
			ID:               r.Id,
			Usage:            x.Usage(),
			Requester:        x.Requester(),
			RequesterEmail:   emailOf(users[x.Requester()]),
			Reason:           x.Reason(),
			Status:           x.Status(),
			Amount:           x.Amount(),
			CreatorReversal:  x.CreatorReversal(),
			PlatformAbsorbed: x.PlatformAbsorbed(),
			Note:             x.Note(),
			ProcessedBy:      nullIfEmpty(x.ProcessedBy()),
			ProcessedAt:      rfc3339(x.ProcessedAt()),
			CreatedAt:        rfc3339(r.GetDateTime(c.FieldCreatedAt)),
			UpdatedAt:        rfc3339(r.GetDateTime(c.FieldUpdatedAt)),
		}
	}
	return out, nil
}
