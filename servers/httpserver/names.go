package httpserver

import (
	"net/http"

	"github.com/protocollab/protolab/internal/safepath"
)

// safeNames refuses, with 400 and the reason, a docroot path with a name Windows
// treats specially (internal/safepath), on every system: the docroot serves the
// same names wherever the lab runs. A folder's listing shows every file as it
// is; a file whose name is refused is listed but not served.
func safeNames(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if err := safepath.Path(r.URL.Path); err != nil {
			http.Error(w, "httpserver: refused: "+err.Error()+
				"; the lab refuses names Windows treats specially, on every system", http.StatusBadRequest)
			return
		}
		next.ServeHTTP(w, r)
	})
}
