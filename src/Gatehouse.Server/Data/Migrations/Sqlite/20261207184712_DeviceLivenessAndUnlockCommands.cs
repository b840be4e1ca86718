using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Gatehouse.Server.Data.Migrations.Sqlite
{
    /// <inheritdoc />
    public partial class DeviceLivenessAndUnlockCommands : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<long>(
                name: "OnlineUntil",
                table: "DeviceStates",
                type: "INTEGER",
                nullable: true);

            migrationBuilder.AddColumn<long>(
                name: "RejectedEvents",
                table: "DeviceStates",
                type: "INTEGER",
                nullable: false,
                defaultValue: 0L);

            migrationBuilder.CreateTable(
                name: "RemoteUnlockCommands",
                columns: table => new
                {
                    Id = table.Column<Guid>(type: "TEXT", nullable: false),
                    OrganizationId = table.Column<Guid>(type: "TEXT", nullable: false),
                    DeviceId = table.Column<Guid>(type: "TEXT", nullable: false),
                    DoorId = table.Column<Guid>(type: "TEXT", nullable: false),
                    DoorName = table.Column<string>(type: "TEXT", maxLength: 200, nullable: false),
                    IssuedAt = table.Column<long>(type: "INTEGER", nullable: false),
                    Source = table.Column<string>(type: "TEXT", maxLength: 20, nullable: false),
                    UserId = table.Column<Guid>(type: "TEXT", nullable: true),
                    UserName = table.Column<string>(type: "TEXT", maxLength: 401, nullable: true),
                    CredentialId = table.Column<Guid>(type: "TEXT", nullable: true),
                    CredentialType = table.Column<string>(type: "TEXT", maxLength: 20, nullable: true),
                    AnsweredAt = table.Column<long>(type: "INTEGER", nullable: true),
                    Succeeded = table.Column<bool>(type: "INTEGER", nullable: false)
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
