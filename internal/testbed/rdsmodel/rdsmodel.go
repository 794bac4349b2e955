// Package rdsmodel makes the emulator's databases behave as RDS's do. The
// emulator changes a database's status at once: started, it is available;
// stopped, it is stopped. RDS takes minutes, through starting and stopping,
// and refuses to start a database that is stopping (InvalidDBInstanceState,
// InvalidDBClusterStateFault). The model, in front of the emulator, reports a
// database starting or stopping for the configured time after a start or a
// stop passes, then the emulator's own status, and refuses a start or a stop
// meanwhile, as RDS does. The test world's gate and the local stack use it.
// https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/accessing-monitoring.html#Overview.DBInstance.Status
// https://docs.aws.amazon.com/AmazonRDS/latest/APIReference/API_StartDBInstance.html#API_StartDBInstance_Errors
package rdsmodel

import (
	"bytes"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"time"
)

// Kinds of database, as the model keys them.
const (
	Instance = "instance"
	Cluster  = "cluster"
)

// Times are how long the modelled RDS takes to start and to stop a database.
type Times struct {
	Start, Stop time.Duration
}

// override is the status the model reports for a database until a time.
type override struct {
	status string
	until  time.Time
}

// Model is RDS's database lifecycle in front of an emulator (next).
type Model struct {
	next  http.Handler
	mu    sync.Mutex
	dbs   map[string]override
	times Times
}

// New returns a model that hands calls on to next.
func New(next http.Handler) *Model { return &Model{next: next, dbs: map[string]override{}} }

// SetTimes makes starts and stops take these times (zero: at once, as the emulator does).
func (m *Model) SetTimes(t Times) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.times = t
}

// SetStatus makes the model report the database (Instance or Cluster) with
// status for the given time, refusing starts and stops meanwhile, as RDS
// does: a database stuck stopping, or busy with its maintenance.
func (m *Model) SetStatus(kind, id, status string, d time.Duration) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.dbs[kind+":"+id] = override{status: status, until: time.Now().Add(d)}
}

// Status is the status the model reports for the database now, if any.
func (m *Model) Status(kind, id string) (string, bool) {
	m.mu.Lock()
	defer m.mu.Unlock()
	o, ok := m.dbs[kind+":"+id]
	if !ok || !time.Now().Before(o.until) {
		return "", false
	}
	return o.status, true
}

// IsRDS reports whether r calls RDS, by the service its signature is scoped to.
func IsRDS(r *http.Request) bool {
	return strings.Contains(r.Header.Get("Authorization"), "/rds/aws4_request")
}

// change is an RDS call that changes a database: its kind, the status it
// goes through, and the error code RDS answers when the database is busy.
var change = map[string]struct{ kind, status, code string }{
	"StartDBInstance": {Instance, "starting", "InvalidDBInstanceState"},
	"StopDBInstance":  {Instance, "stopping", "InvalidDBInstanceState"},
	"StartDBCluster":  {Cluster, "starting", "InvalidDBClusterStateFault"},
	"StopDBCluster":   {Cluster, "stopping", "InvalidDBClusterStateFault"},
}

// ServeHTTP answers an RDS call (query protocol: a form) as RDS would.
func (m *Model) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	form := formOf(r)
	op, now := form.Get("Action"), time.Now()
	if ch, ok := change[op]; ok {
		m.serveChange(w, r, form, ch.kind, ch.status, ch.code, now)
		return
	}
	if op != "DescribeDBInstances" && op != "DescribeDBClusters" {
		m.next.ServeHTTP(w, r)
		return
	}
	rec := httptest.NewRecorder()
	m.next.ServeHTTP(rec, r)
	m.mu.Lock()
	active := map[string]string{}
	for k, o := range m.dbs {
		if now.Before(o.until) {
			active[k] = o.status
		}
	}
	m.mu.Unlock()
	forward(w, rec, applyStatus(rec.Body.Bytes(), active))
}

func (m *Model) serveChange(w http.ResponseWriter, r *http.Request, form url.Values, kind, status, code string, now time.Time) {
	id := strings.ToLower(form.Get("DBInstanceIdentifier") + form.Get("DBClusterIdentifier"))
	key := kind + ":" + id
	m.mu.Lock()
	o, busy := m.dbs[key]
	busy = busy && now.Before(o.until)
	took := m.times.Start
	if status == "stopping" {
		took = m.times.Stop
	}
	m.mu.Unlock()
	if busy {
		WriteError(w, http.StatusBadRequest, code, fmt.Sprintf("%s %s is %s", kind, id, o.status))
		return
	}
	rec := httptest.NewRecorder()
	m.next.ServeHTTP(rec, r)
	if rec.Code == http.StatusOK && took > 0 {
		m.mu.Lock()
		m.dbs[key] = override{status: status, until: now.Add(took)}
		m.mu.Unlock()
	}
	forward(w, rec, rec.Body.Bytes())
}

// formOf reads a query-protocol request's form, leaving its body to be sent on.
func formOf(r *http.Request) url.Values {
	if r.Body == nil {
		return url.Values{}
	}
	body, _ := io.ReadAll(r.Body)
	r.Body = io.NopCloser(bytes.NewReader(body))
	v, _ := url.ParseQuery(string(body))
	return v
}

// forward passes a recorded answer on with a new body.
func forward(w http.ResponseWriter, rec *httptest.ResponseRecorder, body []byte) {
	for k, v := range rec.Header() {
		w.Header()[k] = v
	}
	w.Header().Set("Content-Length", strconv.Itoa(len(body)))
	w.WriteHeader(rec.Code)
	_, _ = w.Write(body)
}

var (
	instanceXML = regexp.MustCompile(`(?s)<DBInstance>.*?</DBInstance>`)
	clusterXML  = regexp.MustCompile(`(?s)<DBCluster>.*?</DBCluster>`)
	instanceID  = regexp.MustCompile(`<DBInstanceIdentifier>([^<]*)</DBInstanceIdentifier>`)
	clusterID   = regexp.MustCompile(`<DBClusterIdentifier>([^<]*)</DBClusterIdentifier>`)
	instanceSt  = regexp.MustCompile(`<DBInstanceStatus>[^<]*</DBInstanceStatus>`)
	clusterSt   = regexp.MustCompile(`<Status>[^<]*</Status>`)
)

// applyStatus rewrites the status of the databases the model says are
// starting or stopping in a DescribeDBInstances or DescribeDBClusters answer.
func applyStatus(body []byte, active map[string]string) []byte {
	if len(active) == 0 {
		return body
	}
	body = instanceXML.ReplaceAllFunc(body, func(b []byte) []byte {
		m := instanceID.FindSubmatch(b)
		if m == nil {
			return b
		}
		if st, ok := active[Instance+":"+string(m[1])]; ok {
			return instanceSt.ReplaceAll(b, []byte("<DBInstanceStatus>"+st+"</DBInstanceStatus>"))
		}
		return b
	})
	return clusterXML.ReplaceAllFunc(body, func(b []byte) []byte {
		m := clusterID.FindSubmatch(b)
		if m == nil {
			return b
		}
		st, ok := active[Cluster+":"+string(m[1])]
		// The cluster's own status is its first; its members' and groups' follow.
		loc := clusterSt.FindIndex(b)
		if !ok || loc == nil {
			return b
		}
		return []byte(string(b[:loc[0]]) + "<Status>" + st + "</Status>" + string(b[loc[1]:]))
	})
}

// WriteError answers as the AWS query protocol does (RDS).
// https://docs.aws.amazon.com/AmazonRDS/latest/APIReference/CommonErrors.html
func WriteError(w http.ResponseWriter, status int, code, message string) {
	w.Header().Set("Content-Type", "text/xml")
	w.WriteHeader(status)
	fmt.Fprintf(w, `<ErrorResponse xmlns="http://rds.amazonaws.com/doc/2014-10-31/"><Error><Type>Sender</Type><Code>%s</Code><Message>%s</Message></Error><RequestId>model</RequestId></ErrorResponse>`, code, message)
}
