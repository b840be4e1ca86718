using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Gatehouse.Server.Data.Migrations.Postgres
{
    /// <inheritdoc />
    public partial class DeviceLivenessAndUnlockCommands : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<DateTimeOffset>(
                name: "OnlineUntil",
                table: "DeviceStates",
                type: "timestamp with time zone",
                nullable: true);

            migrationBuilder.AddColumn<long>(
                name: "RejectedEvents",
                table: "DeviceStates",
                type: "bigint",
                nullable: false,
                defaultValue: 0L);

            migrationBuilder.CreateTable(
                name: "RemoteUnlockCommands",
                columns: table => new
                {
                    Id = table.Column<Guid>(type: "uuid", nullable: false),
                    OrganizationId = table.Column<Guid>(type: "uuid", nullable: false),
                    DeviceId = table.Column<Guid>(type: "uuid", nullable: false),
                    DoorId = table.Column<Guid>(type: "uuid", nullable: false),
                    DoorName = table.Column<string>(type: "character varying(200)", maxLength: 200, nullable: false),
                    IssuedAt = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    Source = table.Column<string>(type: "character varying(20)", maxLength: 20, nullable: false),
                    UserId = table.Column<Guid>(type: "uuid", nullable: true),
                    UserName = table.Column<string>(type: "character varying(401)", maxLength: 401, nullable: true),
                    CredentialId = table.Column<Guid>(type: "uuid", nullable: true),
                    CredentialType = table.Column<string>(type: "character varying(20)", maxLength: 20, nullable: true),
                    AnsweredAt = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: true),
                    Succeeded = table.Column<bool>(type: "boolean", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_RemoteUnlockCommands", x => x.Id);
                    table.ForeignKey(
                        name: "FK_RemoteUnlockCommands_Devices_DeviceId",
                        column: x => x.DeviceId,
                        principalTable: "Devices",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateIndex(
                name: "IX_DeviceStates_Online_OnlineUntil",
                table: "DeviceStates",
                columns: new[] { "Online", "OnlineUntil" });

            migrationBuilder.CreateIndex(
                name: "IX_RemoteUnlockCommands_DeviceId",
                table: "RemoteUnlockCommands",
                column: "DeviceId");

            migrationBuilder.CreateIndex(
                name: "IX_RemoteUnlockCommands_OrganizationId",
                table: "RemoteUnlockCommands",
                column: "OrganizationId");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "RemoteUnlockCommands");

            migrationBuilder.DropIndex(
                name: "IX_DeviceStates_Online_OnlineUntil",
                table: "DeviceStates");

            migrationBuilder.DropColumn(
                name: "OnlineUntil",
                table: "DeviceStates");

            migrationBuilder.DropColumn(
                name: "RejectedEvents",
                table: "DeviceStates");
        }
    }
}
