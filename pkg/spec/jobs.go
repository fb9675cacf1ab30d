package spec

import (
	"fmt"
	"math"
	"strings"
	"time"
	// The tz database, compiled in: a cronjob's timeZone is checked the
	// same on every machine, whether or not it has /usr/share/zoneinfo.
	_ "time/tzdata"
)

// Defaults of the batch fields, documented in docs/spec.md.
const (
	// DefaultJobDeadline bounds one run of a cronjob.
	DefaultJobDeadline = "1h"
	// DefaultMigrationDeadline bounds a migration.
	DefaultMigrationDeadline = "30m"
	// DefaultBackoffLimit is how often a failed run is retried.
	DefaultBackoffLimit = 2
	// DefaultTimeZone is what a cronjob's schedule is read in.
	DefaultTimeZone = "Etc/UTC"
)

var timeZoneRE = lazyRegexp(`^[A-Za-z][A-Za-z0-9_+-]*(/[A-Za-z0-9_+-]+)*$`)

// validTimeZone says whether s names a zone of the tz database, as the API
// server checks a CronJob's timeZone (time.LoadLocation, and not Local).
func validTimeZone(s string) bool {
	if strings.EqualFold(s, "local") || !timeZoneRE().MatchString(s) {
		return false
	}
	_, err := time.LoadLocation(s)
	return err == nil
}

func timeZoneProblem(s string) string {
	switch {
	case strings.EqualFold(s, "local"):
		return "is not a time zone the API server accepts: it is the controller machine's own; name the zone (e.g. Europe/Berlin, Etc/UTC)"
	case !timeZoneRE().MatchString(s):
		return "is not an IANA time zone name (e.g. Europe/Berlin, Etc/UTC)"
	}
	return "is not a zone of the tz database (e.g. Europe/Berlin, Etc/UTC)"
}

// DeadlineSeconds is a validated positive duration in whole seconds,
// rounded up (an activeDeadlineSeconds).
func DeadlineSeconds(d string) int64 {
	v, err := time.ParseDuration(d)
	if err != nil || v <= 0 {
		return 0
	}
	return int64(math.Ceil(v.Seconds()))
}

// defaultJobs fills in a cronjob's and a migration's defaults.
func defaultJobs(svc *Service) {
	if svc.Kind == KindCronJob {
		if svc.TimeZone == "" {
			svc.TimeZone = DefaultTimeZone
		}
		if svc.Concurrency == "" {
			svc.Concurrency = ConcurrencyForbid
		}
		if svc.Deadline == "" {
			svc.Deadline = DefaultJobDeadline
		}
		if svc.BackoffLimit == nil {
			b := int32(DefaultBackoffLimit)
			svc.BackoffLimit = &b
		}
	}
	if m := svc.Migrate; m != nil && m.Deadline == "" {
		m.Deadline = DefaultMigrationDeadline
	}
}

// cronJobNeedsSchedule: a cronjob without a schedule would never run.
func cronJobNeedsSchedule(c *checkContext, report reportFunc) {
	for i, svc := range c.s.Services {
		if svc.Kind == KindCronJob && svc.Schedule == "" {
			report(fmt.Sprintf("spec.services[%d].kind", i), 0)
		}
	}
}

// scheduleOnlyOnCronJobs: the batch fields of a server or worker would
// have no effect.
func scheduleOnlyOnCronJobs(c *checkContext, report reportFunc) {
	for i, svc := range c.s.Services {
		if svc.Kind == KindCronJob {
			continue
		}
		kind := svc.Kind
		if kind == "" {
			kind = KindServer
		}
		set := []struct {
			key string
			on  bool
		}{
			{"schedule", svc.Schedule != ""}, {"timeZone", svc.TimeZone != ""}, {"concurrency", svc.Concurrency != ""},
			{"deadline", svc.Deadline != ""}, {"backoffLimit", svc.BackoffLimit != nil},
		}
		for _, f := range set {
			if f.on {
				report(fmt.Sprintf("spec.services[%d].%s", i, f.key), 0, f.key, kind)
			}
		}
	}
}

// cronJobFields are the service fields a cronjob has no use for, with what
// to do instead; in the order docs/spec.md lists them.
var cronJobFields = []struct{ key, why string }{
	{"protocol", "it serves no traffic; remove it"},
	{"port", "it serves no traffic and has no Service; remove it"},
	{"metricsPort", "its pods are not scraped (a run is over before Prometheus would find it); remove it"},
	{"expose", "it serves no traffic and has no Service; remove it"},
	{"health", "its pods run to completion and are not probed; remove it"},
	{"replicas", "each run is one pod; remove it"},
	{"autoscale", "each run is one pod; remove it"},
	{"canary", "a canary is a weighted route to a server; remove it"},
	{"delivery", "each run is a new pod, which nothing rolls out progressively; remove it"},
	{"consumes", "a queue consumer runs continuously: make it a worker, or list the broker in uses to reach it on schedule"},
	{"migrate", "put the migration into the cronjob's own command, or give migrate to the server or worker that owns the schema"},
}

// noServingOnCronJobs: what only a continuously running pod uses is an
// error on a cronjob, not a silent no-op.
func noServingOnCronJobs(c *checkContext, report reportFunc) {
	for i := range c.s.Services {
		svc := &c.s.Services[i]
		if svc.Kind != KindCronJob {
			continue
		}
		set := map[string]bool{
			"protocol": svc.Protocol != "", "port": svc.Port != 0, "metricsPort": svc.MetricsPort != 0, "expose": svc.Expose != nil,
			"health": svc.Health != nil, "replicas": svc.Replicas != nil, "autoscale": svc.Autoscale != nil,
			"canary": svc.Canary != nil, "delivery": svc.Delivery != nil, "consumes": svc.Consumes != nil, "migrate": svc.Migrate != nil,
		}
		for _, f := range cronJobFields {
			if set[f.key] {
				report(fmt.Sprintf("spec.services[%d].%s", i, f.key), 0, f.key, f.why)
			}
		}
	}
	c.overrides(func(path string, _ *Environment, o ServiceOverride) {
		name := path[strings.LastIndex(path, "[")+1 : len(path)-1]
		if svc := c.p.Service(name); svc != nil && svc.Kind == KindCronJob && o.Replicas != nil {
			report(path+".replicas", 0, "replicas", "each run is one pod; remove it")
		}
	})
}

// migrateHasCommand: without a command or args the migration Job would
// start the service itself, which never completes.
func migrateHasCommand(c *checkContext, report reportFunc) {
	for i, svc := range c.s.Services {
		if m := svc.Migrate; m != nil && len(m.Command) == 0 && len(m.Args) == 0 {
			report(fmt.Sprintf("spec.services[%d].migrate", i), 0)
		}
	}
}
