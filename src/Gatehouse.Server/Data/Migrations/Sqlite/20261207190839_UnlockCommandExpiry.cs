using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Gatehouse.Server.Data.Migrations.Sqlite
{
    /// <inheritdoc />
    public partial class UnlockCommandExpiry : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<long>(
                name: "ExpiredAt",
                table: "RemoteUnlockCommands",
                type: "INTEGER",
                nullable: true);

            migrationBuilder.AddColumn<long>(
                name: "ExpiresAt",
                table: "RemoteUnlockCommands",
                type: "INTEGER",
                nullable: false,
                defaultValue: 0L);

            migrationBuilder.CreateIndex(
                name: "IX_RemoteUnlockCommands_ExpiresAt",
                table: "RemoteUnlockCommands",
                column: "ExpiresAt");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropIndex(
                name: "IX_RemoteUnlockCommands_ExpiresAt",
                table: "RemoteUnlockCommands");

            migrationBuilder.DropColumn(
                name: "ExpiredAt",
                table: "RemoteUnlockCommands");

            migrationBuilder.DropColumn(
                name: "ExpiresAt",
                table: "RemoteUnlockCommands");
        }
    }
}
