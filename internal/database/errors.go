package database

import (
	"errors"
	"fmt"
	"net/http"

	"github.com/aws/smithy-go"
	smithyhttp "github.com/aws/smithy-go/transport/http"

	"github.com/scale-to-zero/fargate-scale-to-zero/internal/awserror"
)

// ErrNotFound means RDS has no such DB instance or cluster.
var ErrNotFound = errors.New("database not found")

// notFoundCodes: the DB instance or cluster does not exist.
// https://docs.aws.amazon.com/AmazonRDS/latest/APIReference/API_DescribeDBInstances.html#API_DescribeDBInstances_Errors
// https://docs.aws.amazon.com/AmazonRDS/latest/APIReference/API_DescribeDBClusters.html#API_DescribeDBClusters_Errors
var notFoundCodes = []string{"DBInstanceNotFound", "DBInstanceNotFoundFault", "DBClusterNotFoundFault"}

// waitCodes: RDS will not start or stop the database in its present state
// (starting one that is stopping, stopping one that is starting): wait until
// the state changes and ask again.
// https://docs.aws.amazon.com/AmazonRDS/latest/APIReference/API_StartDBInstance.html#API_StartDBInstance_Errors
// https://docs.aws.amazon.com/AmazonRDS/latest/APIReference/API_StartDBCluster.html#API_StartDBCluster_Errors
var waitCodes = []string{"InvalidDBInstanceState", "InvalidDBInstanceStateFault", "InvalidDBClusterStateFault"}

// throttleCodes: the account's RDS request bucket is empty.
// https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/rds-api-throttling.html
// https://docs.aws.amazon.com/AmazonRDS/latest/APIReference/CommonErrors.html
var throttleCodes = []string{"Throttling", "ThrottlingException", "RequestLimitExceeded", "TooManyRequestsException"}

// Wrap names the call that failed and keeps its cause; a code saying the
// database is not there adds ErrNotFound.
func Wrap(call string, err error) error {
	if awserror.HasCode(err, notFoundCodes...) {
		return fmt.Errorf("%s: %w: %w", call, ErrNotFound, err)
	}
	return fmt.Errorf("%s: %w", call, err)
}

// IsWait reports whether RDS refused because of the database's present
// state: not a failure, wait and ask again.
func IsWait(err error) bool { return awserror.HasCode(err, waitCodes...) }

// IsTransient reports whether an error may go away by itself: throttling,
// a 5xx, a timeout or a network error.
func IsTransient(err error) bool {
	if err == nil || errors.Is(err, ErrNotFound) {
		return false
	}
	var respErr *smithyhttp.ResponseError
	if errors.As(err, &respErr) && (respErr.HTTPStatusCode() >= http.StatusInternalServerError || respErr.HTTPStatusCode() == http.StatusTooManyRequests) {
		return true
	}
	var apiErr smithy.APIError
	if !errors.As(err, &apiErr) {
		return true // no API code: the network, a deadline, a cancelled request
	}
	return awserror.HasCode(err, throttleCodes...) || apiErr.ErrorFault() == smithy.FaultServer
}
