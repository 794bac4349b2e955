package sleepops

import (
	"context"
	"slices"

	"github.com/scale-to-zero/fargate-scale-to-zero/internal/config"
	"github.com/scale-to-zero/fargate-scale-to-zero/internal/database"
	"github.com/scale-to-zero/fargate-scale-to-zero/internal/ledger"
	"github.com/scale-to-zero/fargate-scale-to-zero/internal/savings"
)

// DatabaseReader reads one database with one DescribeDBInstances or
// DescribeDBClusters call, with what the report prices it by.
type DatabaseReader interface {
	Read(ctx context.Context, dep config.Dependency) (database.Database, error)
}

var _ DatabaseReader = (*database.Client)(nil)

// reportedDatabase is a database of the report and every service that depends on it.
type reportedDatabase struct {
	dep        config.Dependency
	dependents []config.Service
}

// databasesOf are the databases the services depend on, each once, with
// all their dependents; others are those dependents the report does not
// list, whose histories count towards the databases' hours.
func (s *Savings) databasesOf(services []config.Service) (dbs []reportedDatabase, others []config.Service) {
	if s.Databases == nil {
		return nil, nil
	}
	all := s.Configured
	if all == nil {
		all = services
	}
	reported := map[string]bool{}
	for _, svc := range services {
		reported[svc.ID()] = true
	}
	extra := map[string]bool{}
	for _, dep := range config.Services(services).Databases() {
		db := reportedDatabase{dep: dep}
		for _, svc := range all {
			if !slices.Contains(svc.DependsOn, dep) {
				continue
			}
			db.dependents = append(db.dependents, svc)
			if !reported[svc.ID()] && !extra[svc.ID()] {
				extra[svc.ID()] = true
				others = append(others, svc)
			}
		}
		dbs = append(dbs, db)
	}
	return dbs, others
}

// databaseFacts reads each database once; its dependents' histories were
// read with the services.
func (s *Savings) databaseFacts(ctx context.Context, dbs []reportedDatabase, histories map[string][]ledger.Day) []savings.DatabaseFacts {
	out := make([]savings.DatabaseFacts, 0, len(dbs))
	for _, db := range dbs {
		f := savings.DatabaseFacts{Kind: db.dep.Kind, ID: db.dep.ID}
		for _, svc := range db.dependents {
			days := histories[svc.ID()]
			if days == nil {
				f.Notes = append(f.Notes, "the history of "+svc.ID()+" could not be read: the database's days are unknown")
			}
			f.Dependents = append(f.Dependents, savings.Dependent{Service: svc.ID(), Days: days})
		}
		read, err := s.Databases.Read(ctx, db.dep)
		if err != nil {
			f.Notes = append(f.Notes, "not read from RDS: "+err.Error())
		} else {
			f.Engine, f.Class, f.MultiAZ, f.Status = read.Engine, read.Class, read.MultiAZ, read.Status
		}
		out = append(out, f)
	}
	return out
}
