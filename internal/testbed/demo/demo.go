// Package demo creates what a sleeping Fargate service needs in the emulator:
// a VPC with DNS hostnames, a subnet, a security group, a cluster, a Fargate
// task definition and the service itself at desiredCount 0.
package demo

import (
	"context"
	"fmt"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	ec2types "github.com/aws/aws-sdk-go-v2/service/ec2/types"
	"github.com/aws/aws-sdk-go-v2/service/ecs"
	ecstypes "github.com/aws/aws-sdk-go-v2/service/ecs/types"
)

// ECS is the part of the ECS API this package calls.
type ECS interface {
	CreateCluster(ctx context.Context, params *ecs.CreateClusterInput, optFns ...func(*ecs.Options)) (*ecs.CreateClusterOutput, error)
	RegisterTaskDefinition(ctx context.Context, params *ecs.RegisterTaskDefinitionInput, optFns ...func(*ecs.Options)) (*ecs.RegisterTaskDefinitionOutput, error)
	CreateService(ctx context.Context, params *ecs.CreateServiceInput, optFns ...func(*ecs.Options)) (*ecs.CreateServiceOutput, error)
}

var _ ECS = (*ecs.Client)(nil)

// EC2 is the part of the EC2 API this package calls; *ec2.Client satisfies it.
type EC2 interface {
	CreateVpc(ctx context.Context, params *ec2.CreateVpcInput, optFns ...func(*ec2.Options)) (*ec2.CreateVpcOutput, error)
	ModifyVpcAttribute(ctx context.Context, params *ec2.ModifyVpcAttributeInput, optFns ...func(*ec2.Options)) (*ec2.ModifyVpcAttributeOutput, error)
	CreateSubnet(ctx context.Context, params *ec2.CreateSubnetInput, optFns ...func(*ec2.Options)) (*ec2.CreateSubnetOutput, error)
	CreateSecurityGroup(ctx context.Context, params *ec2.CreateSecurityGroupInput, optFns ...func(*ec2.Options)) (*ec2.CreateSecurityGroupOutput, error)
}

var _ EC2 = (*ec2.Client)(nil)

// Cluster is a cluster with its network and a task definition, ready for services.
type Cluster struct {
	Name           string
	TaskDefinition string
	Network        *ecstypes.NetworkConfiguration
}

// NewCluster creates the network, the cluster and a Fargate task definition
// for one container listening on port.
func NewCluster(ctx context.Context, e ECS, n EC2, name string, port int32) (*Cluster, error) {
	vpc, err := n.CreateVpc(ctx, &ec2.CreateVpcInput{CidrBlock: aws.String("10.0.0.0/16")})
	if err != nil {
		return nil, fmt.Errorf("create vpc: %w", err)
	}
	// Fargate tasks with public IPs need DNS hostnames in their VPC.
	if _, err := n.ModifyVpcAttribute(ctx, &ec2.ModifyVpcAttributeInput{VpcId: vpc.Vpc.VpcId, EnableDnsHostnames: &ec2types.AttributeBooleanValue{Value: aws.Bool(true)}}); err != nil {
		return nil, fmt.Errorf("enable dns hostnames: %w", err)
	}
	sub, err := n.CreateSubnet(ctx, &ec2.CreateSubnetInput{VpcId: vpc.Vpc.VpcId, CidrBlock: aws.String("10.0.1.0/24")})
	if err != nil {
		return nil, fmt.Errorf("create subnet: %w", err)
	}
	sg, err := n.CreateSecurityGroup(ctx, &ec2.CreateSecurityGroupInput{GroupName: aws.String(name + "-app"), Description: aws.String("app"), VpcId: vpc.Vpc.VpcId})
	if err != nil {
		return nil, fmt.Errorf("create security group: %w", err)
	}
	// Container Insights on, as the network idle signal needs: a cluster created without
	// the setting takes the account's default, which is off.
	if _, err := e.CreateCluster(ctx, &ecs.CreateClusterInput{ClusterName: aws.String(name), Settings: []ecstypes.ClusterSetting{
		{Name: ecstypes.ClusterSettingNameContainerInsights, Value: aws.String("enabled")},
	}}); err != nil {
		return nil, fmt.Errorf("create cluster: %w", err)
	}
	td, err := e.RegisterTaskDefinition(ctx, &ecs.RegisterTaskDefinitionInput{
		Family:                  aws.String(name + "-app"),
		NetworkMode:             ecstypes.NetworkModeAwsvpc,
		RequiresCompatibilities: []ecstypes.Compatibility{ecstypes.CompatibilityFargate},
		Cpu:                     aws.String("256"),
		Memory:                  aws.String("512"),
		ContainerDefinitions: []ecstypes.ContainerDefinition{{
			Name: aws.String("app"), Image: aws.String("app:latest"), Cpu: 256, Memory: aws.Int32(512), Essential: aws.Bool(true),
			PortMappings: []ecstypes.PortMapping{{ContainerPort: aws.Int32(port)}},
		}},
	})
	if err != nil {
		return nil, fmt.Errorf("register task definition: %w", err)
	}
	return &Cluster{
		Name:           name,
		TaskDefinition: aws.ToString(td.TaskDefinition.TaskDefinitionArn),
		Network: &ecstypes.NetworkConfiguration{AwsvpcConfiguration: &ecstypes.AwsVpcConfiguration{
			Subnets: []string{aws.ToString(sub.Subnet.SubnetId)}, SecurityGroups: []string{aws.ToString(sg.GroupId)}, AssignPublicIp: ecstypes.AssignPublicIpEnabled,
		}},
	}, nil
}

// NewService creates a Fargate service in the cluster with the given desired count.
func (c *Cluster) NewService(ctx context.Context, e ECS, name string, desired int32) error {
	_, err := e.CreateService(ctx, &ecs.CreateServiceInput{
		Cluster: aws.String(c.Name), ServiceName: aws.String(name), TaskDefinition: aws.String(c.TaskDefinition),
		DesiredCount: aws.Int32(desired), LaunchType: ecstypes.LaunchTypeFargate, NetworkConfiguration: c.Network,
	})
	if err != nil {
		return fmt.Errorf("create service %s: %w", name, err)
	}
	return nil
}
