package config

import (
	"regexp"
	"strings"
	"time"
)

// Kinds of database a service may depend on.
const (
	// DependencyRDSInstance is an RDS DB instance (StartDBInstance / StopDBInstance).
	DependencyRDSInstance = "rdsInstance"
	// DependencyAuroraCluster is an Aurora DB cluster (StartDBCluster / StopDBCluster).
	DependencyAuroraCluster = "auroraCluster"
)

// Dependency is a database a service needs: Wake starts it before the
// service, and Auto-Sleep stops it once every service that needs it sleeps.
type Dependency struct {
	Kind string `json:"kind"` // DependencyRDSInstance or DependencyAuroraCluster
	ID   string `json:"id"`   // the DB instance or cluster identifier, lowercase
}

// Key names the database uniquely: services that share it share one key.
func (d Dependency) Key() string { return d.Kind + ":" + d.ID }

// dependencyJSON is one entry of a service's dependsOn list: exactly one key.
type dependencyJSON struct {
	RDSInstance   *string `json:"rdsInstance"`
	AuroraCluster *string `json:"auroraCluster"`
}

var dependsOnSetting = named{"dependsOn", "DEPENDS_ON"}

// DefaultWakeTimeoutWithDatabase is the wait budget of a service with
// databases, unless one is given: the wake's clock starts when the databases
// start, and RDS takes minutes to start one.
const DefaultWakeTimeoutWithDatabase = 30 * time.Minute

// dbIdentifier is RDS's rule for DB instance and DB cluster identifiers: 1 to
// 63 letters, digits or hyphens, starting with a letter, not ending with a
// hyphen nor holding two in a row; RDS stores them in lowercase.
// https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/CHAP_Limits.html#RDS_Limits.Constraints
// https://docs.aws.amazon.com/AmazonRDS/latest/APIReference/API_CreateDBInstance.html (DBInstanceIdentifier)
// https://docs.aws.amazon.com/AmazonRDS/latest/APIReference/API_CreateDBCluster.html (DBClusterIdentifier)
// (The length is checked apart: see namespaceChars.)
var dbIdentifier = regexp.MustCompile(`^[a-z][a-z0-9-]*$`)

func validDBIdentifier(id string) bool {
	return len(id) <= 63 && dbIdentifier.MatchString(id) && !strings.HasSuffix(id, "-") && !strings.Contains(id, "--")
}

// checkDependsOn reads the service's databases.
func checkDependsOn(s *Service, r serviceJSON) *problem {
	seen := map[string]int{}
	for i, raw := range r.DependsOn {
		at := dependsOnSetting.index(i)
		d, p := raw.dependency(at)
		if p != nil {
			return p
		}
		if j, dup := seen[d.Key()]; dup {
			return at.invalid("%s %q is already listed at index %d", d.Kind, d.ID, j)
		}
		seen[d.Key()] = i
		s.DependsOn = append(s.DependsOn, d)
	}
	if len(s.DependsOn) > 0 && r.WakeTimeoutSeconds == nil {
		s.WakeTimeout = DefaultWakeTimeoutWithDatabase
	}
	return nil
}

func (r dependencyJSON) dependency(at named) (Dependency, *problem) {
	var d Dependency
	switch {
	case r.RDSInstance != nil && r.AuroraCluster != nil:
		return d, at.invalid("give one of %s and %s, not both", DependencyRDSInstance, DependencyAuroraCluster)
	case r.RDSInstance != nil:
		d = Dependency{Kind: DependencyRDSInstance, ID: *r.RDSInstance}
	case r.AuroraCluster != nil:
		d = Dependency{Kind: DependencyAuroraCluster, ID: *r.AuroraCluster}
	default:
		return d, at.invalid(`want {"%s": "ID"} or {"%s": "ID"}`, DependencyRDSInstance, DependencyAuroraCluster)
	}
	raw := d.ID
	d.ID = strings.ToLower(strings.TrimSpace(d.ID))
	if !validDBIdentifier(d.ID) {
		return d, at.invalid("%s %q is not a DB identifier: 1 to 63 letters, digits or hyphens, starting with a letter, without a final hyphen or two in a row", d.Kind, raw)
	}
	return d, nil
}

// dependsOnFromEnv reads DEPENDS_ON: "rdsInstance:ID,auroraCluster:ID".
func dependsOnFromEnv(getenv func(string) string) ([]dependencyJSON, error) {
	raw := strings.TrimSpace(getenv("DEPENDS_ON"))
	if raw == "" {
		return nil, nil
	}
	var out []dependencyJSON
	for i, part := range strings.Split(raw, ",") {
		kind, id, ok := strings.Cut(strings.TrimSpace(part), ":")
		id = strings.TrimSpace(id)
		switch strings.TrimSpace(kind) {
		case DependencyRDSInstance:
			out = append(out, dependencyJSON{RDSInstance: &id})
		case DependencyAuroraCluster:
			out = append(out, dependencyJSON{AuroraCluster: &id})
		default:
			ok = false
		}
		if !ok {
			return nil, fieldErr(dependsOnSetting.index(i).env, "%q: want %s:ID or %s:ID, separated by commas", part, DependencyRDSInstance, DependencyAuroraCluster)
		}
	}
	return out, nil
}

// Databases lists the databases the services depend on, each once, in the
// order first named.
func (ss Services) Databases() []Dependency {
	var out []Dependency
	seen := map[string]bool{}
	for _, s := range ss {
		for _, d := range s.DependsOn {
			if !seen[d.Key()] {
				seen[d.Key()] = true
				out = append(out, d)
			}
		}
	}
	return out
}
