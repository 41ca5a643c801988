package whipserver

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"strings"

	"github.com/protocollab/protolab/clients/p2pclient"
)

// Offer is the WHIP client's side, as an outside peer does it: p's offer
// (open a channel first) is POSTed to endpoint ("http://127.0.0.1:8080/whip")
// and the answer accepted. It returns the session's URL, for DELETE; a
// refusal is an error with the status and the endpoint's words. A nil
// client means http.DefaultClient.
func Offer(ctx context.Context, client *http.Client, endpoint string, p *p2pclient.Peer) (string, error) {
	if client == nil {
		client = http.DefaultClient
	}
	offer, err := p.CreateOffer(ctx)
	if err != nil {
		return "", err
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, endpoint, strings.NewReader(offer))
	if err != nil {
		return "", err
	}
	req.Header.Set("Content-Type", "application/sdp")
	resp, err := client.Do(req)
	if err != nil {
		return "", fmt.Errorf("whipserver: POST %s: %w", endpoint, err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	if err != nil {
		return "", fmt.Errorf("whipserver: the answer: %w", err)
	}
	if resp.StatusCode != http.StatusCreated {
		return "", fmt.Errorf("whipserver: POST %s: %s: %s", endpoint, resp.Status, strings.TrimSpace(string(body)))
	}
	loc, err := resp.Location()
	if err != nil {
		return "", fmt.Errorf("whipserver: the answer has no Location (RFC 9725 §4.2): %w", err)
	}
	if err := p.AcceptAnswer(string(body)); err != nil {
		return "", err
	}
	return loc.String(), nil
}

// End ends the session at the URL Offer returned (DELETE).
func End(ctx context.Context, client *http.Client, session string) error {
	if client == nil {
		client = http.DefaultClient
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodDelete, session, nil)
	if err != nil {
		return err
	}
	resp, err := client.Do(req)
	if err != nil {
		return fmt.Errorf("whipserver: DELETE %s: %w", session, err)
	}
	defer resp.Body.Close()
	io.Copy(io.Discard, resp.Body)
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("whipserver: DELETE %s: %s", session, resp.Status)
	}
	return nil
}
