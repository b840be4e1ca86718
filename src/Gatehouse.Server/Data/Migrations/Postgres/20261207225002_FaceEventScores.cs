using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Gatehouse.Server.Data.Migrations.Postgres
{
    /// <inheritdoc />
    public partial class FaceEventScores : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<float>(
                name: "Liveness",
                table: "AccessEvents",
                type: "real",
                nullable: true);

            migrationBuilder.AddColumn<float>(
                name: "Score",
                table: "AccessEvents",
                type: "real",
                nullable: true);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropColumn(
                name: "Liveness",
                table: "AccessEvents");

            migrationBuilder.DropColumn(
                name: "Score",
                table: "AccessEvents");
        }
    }
}
