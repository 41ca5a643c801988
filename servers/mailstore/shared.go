package mailstore

import (
	"fmt"
	"path/filepath"
	"strings"
	"sync"
)

// The lab's two mail domains and their default accounts.
const (
	DomainAlpha = "alpha.test"
	DomainBeta  = "beta.test"
)

// DefaultAccounts returns the accounts a lab domain starts with: alice (password
// alice) at alpha.test, bob (password bob) at beta.test, none elsewhere.
func DefaultAccounts(domain string) []Account {
	switch strings.ToLower(domain) {
	case DomainAlpha:
		return []Account{{User: "alice", Password: "alice"}}
	case DomainBeta:
		return []Account{{User: "bob", Password: "bob"}}
	}
	return nil
}

var shared struct {
	sync.Mutex
	stores map[string]*Store // by absolute folder
}

// Shared returns the one Store kept in dir in this process, opening it at the
// first call. The SMTP, POP3 and IMAP servers of a domain must share one Store
// (its memory is the truth while it is open), so servers open stores through
// Shared or Default, never with Open. A Store opened by Shared stays open.
func Shared(dir, domain string) (*Store, error) {
	abs, err := filepath.Abs(dir)
	if err != nil {
		return nil, fmt.Errorf("mailstore: %w", err)
	}
	shared.Lock()
	defer shared.Unlock()
	if s, ok := shared.stores[abs]; ok {
		if !strings.EqualFold(s.domain, strings.TrimSuffix(strings.TrimSpace(domain), ".")) {
			return nil, fmt.Errorf("mailstore: the folder %s holds the mail of %s, not %s", abs, s.domain, domain)
		}
		return s, nil
	}
	s, err := Open(abs, domain)
	if err != nil {
		return nil, err
	}
	if shared.stores == nil {
		shared.stores = map[string]*Store{}
	}
	shared.stores[abs] = s
	return s, nil
}

// DefaultDir is the folder the lab keeps a domain's mail in: "mail/<domain>" in
// data, the lab's data folder (labdir.Data).
func DefaultDir(data, domain string) string {
	return filepath.Join(data, "mail", escape(strings.ToLower(domain)))
}

// Default returns the lab's shared Store of domain, kept in DefaultDir(data,
// domain). At its first opening in this process a store without accounts gets
// DefaultAccounts(domain); a server's settings may replace them (SetAccounts).
func Default(data, domain string) (*Store, error) {
	dir, err := filepath.Abs(DefaultDir(data, domain))
	if err != nil {
		return nil, fmt.Errorf("mailstore: %w", err)
	}
	shared.Lock()
	_, opened := shared.stores[dir]
	shared.Unlock()
	s, err := Shared(dir, domain)
	if err != nil {
		return nil, err
	}
	if !opened && len(s.Accounts()) == 0 {
		s.SetAccounts(DefaultAccounts(domain))
	}
	return s, nil
}
