package testworld

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"time"
)

// The emulator changes a database's status at once: started, it is
// available; stopped, it is stopped. RDS takes minutes, through starting and
// stopping, and refuses to start a database that is stopping
// (InvalidDBInstanceState, InvalidDBClusterStateFault). The gate models that:
// after a start or a stop passes, it reports the database starting or
// stopping for the configured time, then the emulator's own status; and it
// refuses a start or a stop in the meantime, as RDS does.
// https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/accessing-monitoring.html#Overview.DBInstance.Status
// https://docs.aws.amazon.com/AmazonRDS/latest/APIReference/API_StartDBInstance.html#API_StartDBInstance_Errors

// DBTimes are how long the modelled RDS takes to start and to stop a database.
type DBTimes struct {
	Start, Stop time.Duration
}

// dbOverride is the status the gate reports for a database until a time.
type dbOverride struct {
	status string
	until  time.Time
}

// Kinds of database, as the gate keys them.
const (
	DBInstance = "instance"
	DBCluster  = "cluster"
)

// SetDBTimes makes starts and stops take these times (zero: at once, as the emulator does).
func (g *Gate) SetDBTimes(t DBTimes) {
	g.mu.Lock()
	defer g.mu.Unlock()
	g.dbTimes = t
}

// SetDBStatus makes the gate report the database (DBInstance or DBCluster)
// with status for the given time, refusing starts and stops meanwhile, as RDS
// does: a database stuck stopping, or busy with its maintenance.
func (g *Gate) SetDBStatus(kind, id, status string, d time.Duration) {
	g.mu.Lock()
	defer g.mu.Unlock()
	g.dbs[kind+":"+id] = dbOverride{status: status, until: time.Now().Add(d)}
}

// rdsRequest reports whether r calls RDS, by the service its signature is scoped to.
func rdsRequest(r *http.Request) bool {
	return strings.Contains(r.Header.Get("Authorization"), "/rds/aws4_request")
}

// rdsChange is an RDS call that changes a database: its kind, the status it
// goes through, and the error code RDS answers when the database is busy.
var rdsChange = map[string]struct{ kind, status, code string }{
	"StartDBInstance": {DBInstance, "starting", "InvalidDBInstanceState"},
	"StopDBInstance":  {DBInstance, "stopping", "InvalidDBInstanceState"},
	"StartDBCluster":  {DBCluster, "starting", "InvalidDBClusterStateFault"},
	"StopDBCluster":   {DBCluster, "stopping", "InvalidDBClusterStateFault"},
}

// passRDS hands an RDS call to the emulator, with the modelled lifecycle.
func (g *Gate) passRDS(w http.ResponseWriter, r *http.Request, op string, form url.Values) {
	now := time.Now()
	if ch, ok := rdsChange[op]; ok {
		id := strings.ToLower(form.Get("DBInstanceIdentifier") + form.Get("DBClusterIdentifier"))
		key := ch.kind + ":" + id
		g.mu.Lock()
		o, busy := g.dbs[key]
		busy = busy && now.Before(o.until)
		times := g.dbTimes
		g.mu.Unlock()
		if busy {
			writeRDSError(w, http.StatusBadRequest, ch.code, fmt.Sprintf("%s %s is %s", ch.kind, id, o.status))
			return
		}
		rec := httptest.NewRecorder()
		g.proxy.ServeHTTP(rec, r)
		took := times.Start
		if ch.status == "stopping" {
			took = times.Stop
		}
		if rec.Code == http.StatusOK && took > 0 {
			g.mu.Lock()
			g.dbs[key] = dbOverride{status: ch.status, until: now.Add(took)}
			g.mu.Unlock()
		}
		forward(w, rec, rec.Body.Bytes())
		return
	}
	if op != "DescribeDBInstances" && op != "DescribeDBClusters" {
		g.proxy.ServeHTTP(w, r)
		return
	}
	rec := httptest.NewRecorder()
	g.proxy.ServeHTTP(rec, r)
	g.mu.Lock()
	active := map[string]string{}
	for k, o := range g.dbs {
		if now.Before(o.until) {
			active[k] = o.status
		}
	}
	g.mu.Unlock()
	forward(w, rec, applyDBStatus(rec.Body.Bytes(), active))
}

var (
	instanceXML = regexp.MustCompile(`(?s)<DBInstance>.*?</DBInstance>`)
	clusterXML  = regexp.MustCompile(`(?s)<DBCluster>.*?</DBCluster>`)
	instanceID  = regexp.MustCompile(`<DBInstanceIdentifier>([^<]*)</DBInstanceIdentifier>`)
	clusterID   = regexp.MustCompile(`<DBClusterIdentifier>([^<]*)</DBClusterIdentifier>`)
	instanceSt  = regexp.MustCompile(`<DBInstanceStatus>[^<]*</DBInstanceStatus>`)
	clusterSt   = regexp.MustCompile(`<Status>[^<]*</Status>`)
)

// applyDBStatus rewrites the status of the databases the model says are
// starting or stopping in a DescribeDBInstances or DescribeDBClusters answer.
func applyDBStatus(body []byte, active map[string]string) []byte {
	if len(active) == 0 {
		return body
	}
	body = instanceXML.ReplaceAllFunc(body, func(b []byte) []byte {
		m := instanceID.FindSubmatch(b)
		if m == nil {
			return b
		}
		if st, ok := active[DBInstance+":"+string(m[1])]; ok {
			return instanceSt.ReplaceAll(b, []byte("<DBInstanceStatus>"+st+"</DBInstanceStatus>"))
		}
		return b
	})
	return clusterXML.ReplaceAllFunc(body, func(b []byte) []byte {
		m := clusterID.FindSubmatch(b)
		st, ok := "", false
		if m != nil {
			st, ok = active[DBCluster+":"+string(m[1])]
		}
		if !ok {
			return b
		}
		// The cluster's own status is its first; its members' and groups' follow.
		loc := clusterSt.FindIndex(b)
		if loc == nil {
			return b
		}
		return []byte(string(b[:loc[0]]) + "<Status>" + st + "</Status>" + string(b[loc[1]:]))
	})
}

// writeRDSError answers as the AWS query protocol does (RDS).
// https://docs.aws.amazon.com/AmazonRDS/latest/APIReference/CommonErrors.html
func writeRDSError(w http.ResponseWriter, status int, code, message string) {
	w.Header().Set("Content-Type", "text/xml")
	w.WriteHeader(status)
	fmt.Fprintf(w, `<ErrorResponse xmlns="http://rds.amazonaws.com/doc/2014-10-31/"><Error><Type>Sender</Type><Code>%s</Code><Message>%s</Message></Error><RequestId>gate</RequestId></ErrorResponse>`, code, message)
}

// DBStatusOverride is the status the model reports for the database now, if any.
func (g *Gate) DBStatusOverride(kind, id string) (string, bool) {
	g.mu.Lock()
	defer g.mu.Unlock()
	o, ok := g.dbs[kind+":"+id]
	if !ok || !time.Now().Before(o.until) {
		return "", false
	}
	return o.status, true
}
