package migrate

import (
	"fmt"

	"github.com/ohmycoins/infra/internal/awstype"
	"github.com/ohmycoins/infra/internal/stackplan"
	"github.com/ohmycoins/infra/stacks"
)

// adapt says how the program and the operator resolve a conflict without
// replacing what holds data. Every command is one the runbook's "Moving from
// Terraform" section runs; the resource is left out of the first `pulumi up`
// (Result.Exclude) and created in the cutover window, once its original is
// gone.
func adapt(s stacks.Settings, o *original, res stackplan.Resource, originals []*original, adopt map[string]*original) string {
	region := s.Region
	switch res.Type {
	case "aws:rds/instance:Instance":
		id := o.String("identifier")
		snapshot := id + "-to-pulumi"
		copied := snapshot + "-" + s.NamePrefix + "-key"
		first := fmt.Sprintf("in the cutover window, with the writers stopped, take the final snapshot and free the identifier: aws rds delete-db-instance --db-instance-identifier %s --final-db-snapshot-identifier %s --region %s", id, snapshot, region)
		if subnetGroupAdopted(o, originals, adopt) {
			first = fmt.Sprintf("in the cutover window, with the writers stopped, snapshot it (aws rds create-db-snapshot --db-instance-identifier %s --db-snapshot-identifier %s --region %s) and free the identifier by renaming it, which keeps it as the way back (aws rds modify-db-instance --db-instance-identifier %s --new-db-instance-identifier %s-terraform --apply-immediately --region %s)", id, snapshot, region, id, id, region)
		}
		if o.Values["deletion_protection"] == true {
			first = fmt.Sprintf("turn its deletion protection off (aws rds modify-db-instance --db-instance-identifier %s --no-deletion-protection --apply-immediately --region %s); then %s", id, region, first)
		}
		return fmt.Sprintf("Restore from a snapshot, never replace: %s. RDS restores a snapshot under the snapshot's key, so copy it under the environment key, which the first `pulumi up` creates: aws rds copy-db-snapshot --source-db-snapshot-identifier %s --target-db-snapshot-identifier %s --kms-key-id alias/%s --region %s. Then pulumi config set --stack %s --path ohmycoins:database.snapshotIdentifier %s, and pulumi up creates %s from it. Way back: the snapshot %s, or the renamed instance",
			first, snapshot, copied, s.NamePrefix, region, s.Stack, copied, id, snapshot)
	case "aws:elasticache/replicationGroup:ReplicationGroup":
		id := o.String("replication_group_id")
		return fmt.Sprintf("Restore from a snapshot, never replace: a replication group cannot be renamed, so in the cutover window delete it with a final snapshot (aws elasticache delete-replication-group --replication-group-id %s --final-snapshot-identifier %s-to-pulumi --region %s); then pulumi config set --stack %s --path ohmycoins:cache.snapshotName %s-to-pulumi, and pulumi up creates %s from it under the environment key. Way back: the snapshot %s-to-pulumi",
			id, id, region, s.Stack, id, id, id)
	case "aws:rds/subnetGroup:SubnetGroup":
		return fmt.Sprintf("Its name is this program's subnet group's: it goes once the original database that uses it is deleted (see %s), with aws rds delete-db-subnet-group --db-subnet-group-name %s --region %s, in the cutover window",
			addressOf(originals, "aws_db_instance"), o.String("name"), region)
	case "aws:elasticache/subnetGroup:SubnetGroup":
		return fmt.Sprintf("Its name is this program's subnet group's: it goes once the original cache that uses it is deleted (see %s), with aws elasticache delete-cache-subnet-group --cache-subnet-group-name %s --region %s, in the cutover window",
			addressOf(originals, "aws_elasticache_replication_group"), o.String("name"), region)
	case "aws:lb/loadBalancer:LoadBalancer":
		off := ""
		if o.Values["enable_deletion_protection"] == true {
			off = fmt.Sprintf("aws elbv2 modify-load-balancer-attributes --load-balancer-arn %s --attributes Key=deletion_protection.enabled,Value=false --region %s; ", o.ARN(), region)
		}
		return fmt.Sprintf("A load balancer cannot move VPC or be renamed: in the cutover window %saws elbv2 delete-load-balancer --load-balancer-arn %s --region %s. The sites are down from there until pulumi up has created %s and DNS points at it. Way back: terraform apply in the original environment recreates it",
			off, o.ARN(), region, o.String("name"))
	case "aws:ec2/natGateway:NatGateway":
		return fmt.Sprintf("Its Elastic IP %s stays with the environment (addresses that exchanges or partners allow-list keep working), and this program's NAT gateway can take it only once the original lets go: in the cutover window aws ec2 delete-nat-gateway --nat-gateway-id %s --region %s. The original VPC's private subnets lose their way out from there. Way back: terraform apply in the original environment recreates it",
			o.String("public_ip"), o.String("id"), region)
	case "aws:cloudwatch/logGroup:LogGroup":
		return fmt.Sprintf("Keep the logs: terraform state rm '%s', then aws logs delete-log-group --log-group-name %s after exporting what must be kept (aws logs create-export-task), in the cutover window", o.Address, o.String("name"))
	case "aws:secretsmanager/secret:Secret":
		return fmt.Sprintf("Keep the secret's name free for this program: copy the values (aws secretsmanager get-secret-value --secret-id %s), set them as stack secrets, and delete it in the cutover window (aws secretsmanager delete-secret --secret-id %s --force-delete-without-recovery)", o.String("name"), o.String("name"))
	}
	return fmt.Sprintf("Its %s is this program's: delete or rename it in the cutover window, before pulumi up creates %s", describe(identityOf(o.pulumiType), o), res.Name)
}

// subnetGroupAdopted reports whether the DB subnet group of an original
// database is adopted: the database can then stay, renamed, in it.
func subnetGroupAdopted(db *original, originals []*original, adopt map[string]*original) bool {
	for _, o := range originals {
		if o.Type == "aws_db_subnet_group" && o.String("name") == db.String("db_subnet_group_name") {
			_, ok := adopt[o.urn]
			return ok && o.urn != ""
		}
	}
	return false
}

func addressOf(originals []*original, tfType string) string {
	for _, o := range originals {
		if o.Type == tfType && o.outside == "" {
			return o.Address
		}
	}
	return tfType
}

// identityOf is the identity the catalog gives a type of this program.
func identityOf(typ string) []awstype.Key {
	e, _ := awstype.Lookup(typ)
	return e.Terraform.Identity
}
