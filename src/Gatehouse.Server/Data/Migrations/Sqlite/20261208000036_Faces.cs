using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Gatehouse.Server.Data.Migrations.Sqlite
{
    /// <inheritdoc />
    public partial class Faces : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<int>(
                name: "ConsentNoticeVersion",
                table: "Enrollments",
                type: "INTEGER",
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "ConsentRemoteAddress",
                table: "Enrollments",
                type: "TEXT",
                maxLength: 64,
                nullable: true);

            migrationBuilder.AddColumn<Guid>(
                name: "ConsentAdminId",
                table: "Credentials",
                type: "TEXT",
                nullable: true);

            migrationBuilder.AddColumn<Guid>(
                name: "ConsentInvitationId",
                table: "Credentials",
                type: "TEXT",
                nullable: true);

            migrationBuilder.AddColumn<Guid>(
                name: "ConsentNoticeId",
                table: "Credentials",
                type: "TEXT",
                nullable: true);

            migrationBuilder.AddColumn<int>(
                name: "ConsentNoticeVersion",
                table: "Credentials",
                type: "INTEGER",
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "ConsentRemoteAddress",
                table: "Credentials",
                type: "TEXT",
                maxLength: 64,
                nullable: true);

            migrationBuilder.AddColumn<long>(
                name: "ConsentedAt",
                table: "Credentials",
                type: "INTEGER",
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "FaceModel",
                table: "Credentials",
                type: "TEXT",
                maxLength: 100,
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "FaceQuality",
                table: "Credentials",
                type: "TEXT",
                maxLength: 1000,
                nullable: true);

            migrationBuilder.AddColumn<byte[]>(
                name: "FaceTemplate",
                table: "Credentials",
                type: "BLOB",
                nullable: true);

            migrationBuilder.AddColumn<byte[]>(
                name: "FaceThumbnail",
                table: "Credentials",
                type: "BLOB",
                nullable: true);

            migrationBuilder.AddColumn<Guid>(
                name: "ResemblesCredentialId",
                table: "Credentials",
                type: "TEXT",
                nullable: true);

            migrationBuilder.AddColumn<float>(
                name: "ResemblesSimilarity",
                table: "Credentials",
                type: "REAL",
                nullable: true);

            migrationBuilder.AddColumn<Guid>(
                name: "ResemblesUserId",
                table: "Credentials",
                type: "TEXT",
                nullable: true);

            migrationBuilder.AddColumn<float>(
                name: "Liveness",
                table: "AccessEvents",
                type: "REAL",
                nullable: true);

            migrationBuilder.AddColumn<float>(
                name: "Score",
                table: "AccessEvents",
                type: "REAL",
                nullable: true);

            migrationBuilder.CreateTable(
                name: "FaceConsentNotices",
                columns: table => new
                {
                    Id = table.Column<Guid>(type: "TEXT", nullable: false),
                    OrganizationId = table.Column<Guid>(type: "TEXT", nullable: false),
                    Version = table.Column<int>(type: "INTEGER", nullable: false),
                    Text = table.Column<string>(type: "TEXT", maxLength: 4000, nullable: false),
                    CreatedAt = table.Column<long>(type: "INTEGER", nullable: false),
                    CreatedByAdminId = table.Column<Guid>(type: "TEXT", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_FaceConsentNotices", x => x.Id);
                    table.ForeignKey(
                        name: "FK_FaceConsentNotices_Organizations_OrganizationId",
                        column: x => x.OrganizationId,
                        principalTable: "Organizations",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateTable(
                name: "FaceInvitations",
                columns: table => new
                {
                    Id = table.Column<Guid>(type: "TEXT", nullable: false),
                    OrganizationId = table.Column<Guid>(type: "TEXT", nullable: false),
                    UserId = table.Column<Guid>(type: "TEXT", nullable: false),
                    TokenHash = table.Column<string>(type: "TEXT", maxLength: 64, nullable: false),
                    SendEmail = table.Column<bool>(type: "INTEGER", nullable: false),
                    SendText = table.Column<bool>(type: "INTEGER", nullable: false),
                    ExpiresAt = table.Column<long>(type: "INTEGER", nullable: false),
                    CreatedAt = table.Column<long>(type: "INTEGER", nullable: false),
                    CreatedByAdminId = table.Column<Guid>(type: "TEXT", nullable: true),
                    SentAt = table.Column<long>(type: "INTEGER", nullable: false),
                    OpenedAt = table.Column<long>(type: "INTEGER", nullable: true),
                    Uploads = table.Column<int>(type: "INTEGER", nullable: false),
                    CompletedAt = table.Column<long>(type: "INTEGER", nullable: true),
                    CredentialId = table.Column<Guid>(type: "TEXT", nullable: true),
                    RevokedAt = table.Column<long>(type: "INTEGER", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_FaceInvitations", x => x.Id);
                    table.ForeignKey(
                        name: "FK_FaceInvitations_Organizations_OrganizationId",
                        column: x => x.OrganizationId,
                        principalTable: "Organizations",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Cascade);
                    table.ForeignKey(
                        name: "FK_FaceInvitations_Users_UserId",
                        column: x => x.UserId,
                        principalTable: "Users",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateTable(
                name: "FaceSettings",
                columns: table => new
                {
                    OrganizationId = table.Column<Guid>(type: "TEXT", nullable: false),
                    KeepThumbnails = table.Column<bool>(type: "INTEGER", nullable: false),
                    UpdatedAt = table.Column<long>(type: "INTEGER", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_FaceSettings", x => x.OrganizationId);
                    table.ForeignKey(
                        name: "FK_FaceSettings_Organizations_OrganizationId",
                        column: x => x.OrganizationId,
                        principalTable: "Organizations",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateIndex(
                name: "IX_Credentials_ConsentNoticeId",
                table: "Credentials",
                column: "ConsentNoticeId");

            migrationBuilder.CreateIndex(
                name: "IX_FaceConsentNotices_OrganizationId_Version",
                table: "FaceConsentNotices",
                columns: new[] { "OrganizationId", "Version" },
                unique: true);

            migrationBuilder.CreateIndex(
                name: "IX_FaceInvitations_OrganizationId_UserId",
                table: "FaceInvitations",
                columns: new[] { "OrganizationId", "UserId" });

            migrationBuilder.CreateIndex(
                name: "IX_FaceInvitations_TokenHash",
                table: "FaceInvitations",
                column: "TokenHash",
                unique: true);

            migrationBuilder.CreateIndex(
                name: "IX_FaceInvitations_UserId",
                table: "FaceInvitations",
                column: "UserId");

            migrationBuilder.AddForeignKey(
                name: "FK_Credentials_FaceConsentNotices_ConsentNoticeId",
                table: "Credentials",
                column: "ConsentNoticeId",
                principalTable: "FaceConsentNotices",
                principalColumn: "Id");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropForeignKey(
                name: "FK_Credentials_FaceConsentNotices_ConsentNoticeId",
                table: "Credentials");

            migrationBuilder.DropTable(
                name: "FaceConsentNotices");

            migrationBuilder.DropTable(
                name: "FaceInvitations");

            migrationBuilder.DropTable(
                name: "FaceSettings");

            migrationBuilder.DropIndex(
                name: "IX_Credentials_ConsentNoticeId",
                table: "Credentials");

            migrationBuilder.DropColumn(
                name: "ConsentNoticeVersion",
                table: "Enrollments");

            migrationBuilder.DropColumn(
                name: "ConsentRemoteAddress",
                table: "Enrollments");

            migrationBuilder.DropColumn(
                name: "ConsentAdminId",
                table: "Credentials");

            migrationBuilder.DropColumn(
                name: "ConsentInvitationId",
                table: "Credentials");

            migrationBuilder.DropColumn(
                name: "ConsentNoticeId",
                table: "Credentials");

            migrationBuilder.DropColumn(
                name: "ConsentNoticeVersion",
                table: "Credentials");

            migrationBuilder.DropColumn(
                name: "ConsentRemoteAddress",
                table: "Credentials");

            migrationBuilder.DropColumn(
                name: "ConsentedAt",
                table: "Credentials");

            migrationBuilder.DropColumn(
                name: "FaceModel",
                table: "Credentials");

            migrationBuilder.DropColumn(
                name: "FaceQuality",
                table: "Credentials");

            migrationBuilder.DropColumn(
                name: "FaceTemplate",
                table: "Credentials");

            migrationBuilder.DropColumn(
                name: "FaceThumbnail",
                table: "Credentials");

            migrationBuilder.DropColumn(
                name: "ResemblesCredentialId",
                table: "Credentials");

            migrationBuilder.DropColumn(
                name: "ResemblesSimilarity",
                table: "Credentials");

            migrationBuilder.DropColumn(
                name: "ResemblesUserId",
                table: "Credentials");

            migrationBuilder.DropColumn(
                name: "Liveness",
                table: "AccessEvents");

            migrationBuilder.DropColumn(
                name: "Score",
                table: "AccessEvents");
        }
    }
}
