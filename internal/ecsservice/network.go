package ecsservice

import (
	"context"
	"errors"
	"fmt"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ec2"

	"github.com/scale-to-zero/fargate-scale-to-zero/internal/awserror"
)

// codeInterfaceNotFound is EC2's answer for an interface ID it does not know:
// the interface went away with its task between two calls.
// https://docs.aws.amazon.com/AWSEC2/latest/APIReference/errors-overview.html
const codeInterfaceNotFound = "InvalidNetworkInterfaceID.NotFound"

// maxRemembered bounds the interfaces a Client remembers.
const maxRemembered = 10000

// learnPublicIPs asks EC2 for the public IPs of the tasks' interfaces that
// this client has not seen, in one call: an interface keeps its public IP for
// its task's life, and only a task from PENDING on has one attached.
func (c *Client) learnPublicIPs(ctx context.Context, tasks []Task) error {
	var ids []string
	c.mu.Lock()
	for _, t := range tasks {
		if Addressed(t.LastStatus) && t.NetworkInterfaceID != "" && c.publicIPs[t.NetworkInterfaceID] == "" {
			ids = append(ids, t.NetworkInterfaceID)
		}
	}
	c.mu.Unlock()
	if len(ids) == 0 {
		return nil
	}
	if c.EC2 == nil {
		return errors.New("describe network interfaces: this client has no EC2 API")
	}
	public, err := c.describePublicIPs(ctx, ids)
	if err != nil && !awserror.HasCode(err, codeInterfaceNotFound) {
		return err
	}
	// On a NotFound, the task whose interface went away simply has no address this time.
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.publicIPs == nil || len(c.publicIPs) > maxRemembered {
		c.publicIPs = map[string]string{}
	}
	for id, ip := range public {
		c.publicIPs[id] = ip
	}
	return nil
}

// applyPublicIPs sets each task's public IP to what the client knows of its interface.
func (c *Client) applyPublicIPs(tasks []Task) {
	c.mu.Lock()
	defer c.mu.Unlock()
	for i := range tasks {
		tasks[i].PublicIP = c.publicIPs[tasks[i].NetworkInterfaceID]
	}
}

// describePublicIPs returns the public IPv4 address of each interface that has
// one, by interface ID, from one DescribeNetworkInterfaces call. An answer for
// given IDs is not paginated (MaxResults cannot be combined with them), and the
// API sets no maximum on how many IDs one call names.
// https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_DescribeNetworkInterfaces.html
func (c *Client) describePublicIPs(ctx context.Context, ids []string) (map[string]string, error) {
	out, err := c.EC2.DescribeNetworkInterfaces(ctx, &ec2.DescribeNetworkInterfacesInput{NetworkInterfaceIds: ids})
	if err != nil {
		return nil, fmt.Errorf("describe network interfaces: %w", err)
	}
	public := make(map[string]string, len(out.NetworkInterfaces))
	for _, ni := range out.NetworkInterfaces {
		// The public IP is the association's: an Elastic IP, or the address Fargate gives with assignPublicIp.
		if ni.Association != nil && aws.ToString(ni.Association.PublicIp) != "" {
			public[aws.ToString(ni.NetworkInterfaceId)] = aws.ToString(ni.Association.PublicIp)
		}
	}
	return public, nil
}
