using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Gatehouse.Server.Data.Migrations.Sqlite
{
    /// <inheritdoc />
    public partial class MobileCredentials : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<long>(
                name: "ActivatedAt",
                table: "Credentials",
                type: "INTEGER",
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "ActivationCodeHash",
                table: "Credentials",
                type: "TEXT",
                maxLength: 64,
                nullable: true);

            migrationBuilder.AddColumn<long>(
                name: "ActivationExpiresAt",
                table: "Credentials",
                type: "INTEGER",
                nullable: true);

            migrationBuilder.AddColumn<long>(
                name: "ActivationUsedAt",
                table: "Credentials",
                type: "INTEGER",
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "DeviceName",
                table: "Credentials",
                type: "TEXT",
                maxLength: 60,
                nullable: true);

            migrationBuilder.AddColumn<long>(
                name: "LastUsedAt",
                table: "Credentials",
                type: "INTEGER",
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "PublicKey",
                table: "Credentials",
                type: "TEXT",
                maxLength: 100,
                nullable: true);

            migrationBuilder.CreateTable(
                name: "MobileChallenges",
                columns: table => new
                {
                    Id = table.Column<Guid>(type: "TEXT", nullable: false),
                    OrganizationId = table.Column<Guid>(type: "TEXT", nullable: false),
                    CredentialId = table.Column<Guid>(type: "TEXT", nullable: false),
                    Value = table.Column<string>(type: "TEXT", maxLength: 64, nullable: false),
                    ExpiresAt = table.Column<long>(type: "INTEGER", nullable: false),
                    UsedAt = table.Column<long>(type: "INTEGER", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_MobileChallenges", x => x.Id);
                    table.ForeignKey(
                        name: "FK_MobileChallenges_Credentials_CredentialId",
                        column: x => x.CredentialId,
                        principalTable: "Credentials",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Cascade);
                    table.ForeignKey(
                        name: "FK_MobileChallenges_Organizations_OrganizationId",
                        column: x => x.OrganizationId,
                        principalTable: "Organizations",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateIndex(
                name: "IX_Credentials_ActivationCodeHash",
                table: "Credentials",
                column: "ActivationCodeHash",
                unique: true);

            migrationBuilder.CreateIndex(
                name: "IX_MobileChallenges_CredentialId_Value",
                table: "MobileChallenges",
                columns: new[] { "CredentialId", "Value" },
                unique: true);

            migrationBuilder.CreateIndex(
                name: "IX_MobileChallenges_ExpiresAt",
                table: "MobileChallenges",
                column: "ExpiresAt");

            migrationBuilder.CreateIndex(
                name: "IX_MobileChallenges_OrganizationId",
                table: "MobileChallenges",
                column: "OrganizationId");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "MobileChallenges");

            migrationBuilder.DropIndex(
                name: "IX_Credentials_ActivationCodeHash",
                table: "Credentials");

            migrationBuilder.DropColumn(
                name: "ActivatedAt",
                table: "Credentials");

            migrationBuilder.DropColumn(
                name: "ActivationCodeHash",
                table: "Credentials");

            migrationBuilder.DropColumn(
                name: "ActivationExpiresAt",
                table: "Credentials");

            migrationBuilder.DropColumn(
                name: "ActivationUsedAt",
                table: "Credentials");

            migrationBuilder.DropColumn(
                name: "DeviceName",
                table: "Credentials");

            migrationBuilder.DropColumn(
                name: "LastUsedAt",
                table: "Credentials");

            migrationBuilder.DropColumn(
                name: "PublicKey",
                table: "Credentials");
        }
    }
}
